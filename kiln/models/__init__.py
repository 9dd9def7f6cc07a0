"""Models: ``Model``, ``Sequential`` and functional graphs.

Example:
    >>> import kiln
    >>> kiln.models.Sequential is kiln.Sequential
    True
"""

from kiln.models.model import Model
from kiln.models.functional import Functional
from kiln.models.sequential import Sequential
from kiln.saving.saving_api import load_model, save_model
from kiln.models.cloning import clone_model
from kiln.models.json_io import model_from_json
