"""Recurrent layers: RNN, SimpleRNN, LSTM, GRU, their cells, StackedRNNCells."""

from kiln.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from kiln.layers.rnn.gru import GRU, GRUCell
from kiln.layers.rnn.lstm import LSTM, LSTMCell
from kiln.layers.rnn.rnn import RNN
from kiln.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from kiln.layers.rnn.stacked_rnn_cells import StackedRNNCells

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "SimpleRNN", "SimpleRNNCell",
           "StackedRNNCells"]
