"""Layer wrappers: Wrapper, TimeDistributed, Bidirectional."""

from kiln.layers.wrappers.bidirectional import Bidirectional
from kiln.layers.wrappers.time_distributed import TimeDistributed
from kiln.layers.wrappers.wrapper import Wrapper

__all__ = ["Bidirectional", "TimeDistributed", "Wrapper"]
