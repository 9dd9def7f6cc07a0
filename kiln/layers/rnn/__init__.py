"""Recurrent layers: RNN, SimpleRNN, LSTM, GRU, their cells, StackedRNNCells."""

__all__ = []
