"""Small standard datasets, loaded as NumPy arrays.

Example:
    >>> from kiln.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
"""

from kiln.datasets import fashion_mnist
from kiln.datasets import mnist
from kiln.datasets import boston_housing
from kiln.datasets import california_housing
from kiln.datasets import cifar10
from kiln.datasets import cifar100
from kiln.datasets import imdb
from kiln.datasets import reuters
