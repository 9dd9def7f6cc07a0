"""Where Kiln's progress output goes: the terminal (interactive logging) or Python logging.

With interactive logging on (the default), the progress bar of ``fit``/``evaluate``/
``predict`` is written to standard output and redrawn in place on a terminal. With it
off, each line goes to the ``"kiln"`` logger of Python's ``logging`` module at INFO level
instead and nothing is redrawn: the right choice for batch jobs on a server, where the
logs are collected. The setting is process-wide.

Example:
    >>> disable_interactive_logging()
    >>> is_interactive_logging_enabled()
    False
    >>> enable_interactive_logging()
    >>> is_interactive_logging_enabled()
    True
"""

import logging
import sys

_INTERACTIVE = [True]

logger = logging.getLogger("kiln")


def enable_interactive_logging():
    """Turn on interactive logging: progress output goes to standard output.

    This is the default, and the best choice in a shell or a notebook.

    Example:
        >>> enable_interactive_logging()
        >>> is_interactive_logging_enabled()
        True
    """
    _INTERACTIVE[0] = True


def disable_interactive_logging():
    """Turn off interactive logging: progress output goes to the ``"kiln"`` Python logger.

    Each progress line is logged at INFO level (no bar redrawn in place), the best choice
    for training or inference jobs on a server.

    Example:
        >>> disable_interactive_logging()
        >>> is_interactive_logging_enabled()
        False
        >>> enable_interactive_logging()
    """
    _INTERACTIVE[0] = False


def is_interactive_logging_enabled():
    """Whether progress output goes to standard output (True) or to Python logging (False).

    Example:
        >>> is_interactive_logging_enabled()
        True
    """
    return _INTERACTIVE[0]


def print_msg(message, line_break=True):
    """Write ``message`` to standard output, or log it when interactive logging is off.

    Example:
        >>> print_msg("epoch done")
        epoch done
    """
    if is_interactive_logging_enabled():
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        logger.info(message)
