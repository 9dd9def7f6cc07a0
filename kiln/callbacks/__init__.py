"""Callbacks for ``fit``/``evaluate``/``predict``.

Example:
    >>> import kiln
    >>> isinstance(kiln.callbacks.History(), kiln.callbacks.Callback)
    True
"""

from kiln.callbacks.backup_and_restore import BackupAndRestore
from kiln.callbacks.callback import Callback
from kiln.callbacks.callback_list import CallbackList
from kiln.callbacks.csv_logger import CSVLogger
from kiln.callbacks.early_stopping import EarlyStopping
from kiln.callbacks.history import History
from kiln.callbacks.lambda_callback import LambdaCallback
from kiln.callbacks.learning_rate_scheduler import LearningRateScheduler
from kiln.callbacks.model_checkpoint import ModelCheckpoint
from kiln.callbacks.orbax_checkpoint import OrbaxCheckpoint
from kiln.callbacks.progbar_logger import ProgbarLogger
from kiln.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from kiln.callbacks.remote_monitor import RemoteMonitor
from kiln.callbacks.swap_ema_weights import SwapEMAWeights
from kiln.callbacks.terminate_on_nan import TerminateOnNaN
from kiln.callbacks.tensorboard import TensorBoard
