"""Layer wrappers: Wrapper, TimeDistributed, Bidirectional."""

__all__ = []
