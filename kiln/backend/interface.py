"""The backend interface: the modules and functions every backend package provides.

Each backend (``kiln/backend/jax``, ``torch``, ``tensorflow``, ``numpy``) is a
package with exactly the modules named in :data:`INTERFACE`, and each module
defines every function (or class) listed for it. Functions work on the
backend's native tensors; argument names and defaults mirror the public op of
the same name in ``kiln.ops`` (which forwards to them). A function a backend
cannot support still exists: it raises ``NotImplementedError`` naming the
function and the backend, and is listed with its reason in the ``UNSUPPORTED``
dict of its module (collected by :func:`unsupported_functions` into the
package's ``UNSUPPORTED``), which ``tests/backend/test_interface.py`` checks
against real calls.

Example:
    >>> from kiln.backend import interface
    >>> "matmul" in interface.INTERFACE["array_ops"]
    True
"""

INTERFACE = {
    # Tensors, variables, conversion, tracing.
    "core": (
        "Variable",              # class: subclass of common.variables.KerasVariable
        "convert_to_tensor",     # (x, dtype=None, sparse=None, ragged=None)
        "convert_to_numpy",      # (x) -> np.ndarray
        "is_tensor",             # (x) -> bool, True for native tensors
        "shape",                 # (x) -> tuple of ints (None for unknown dims)
        "cast",                  # (x, dtype)
        "stop_gradient",         # (x)
        "cond",                  # (pred, true_fn, false_fn)
        "compute_output_spec",   # (fn, *args, **kwargs): trace fn on KerasTensors -> KerasTensors
        "device_scope",          # (device_name) context manager
        "random_seed_dtype",     # () -> dtype name of seed tensors
        "scatter",               # (indices, values, shape)
        "slice",                 # (inputs, start_indices, shape)
        "get_item",              # (x, key) python __getitem__ semantics
        "scatter_update",        # (inputs, indices, updates, reduction=None)
        "slice_update",          # (inputs, start_indices, updates)
        "saturate_cast",         # (x, dtype): clip to dtype's range, then cast
        "switch",                # (index, branches, *operands)
        "while_loop",            # (cond, body, loop_vars, maximum_iterations=None)
        "fori_loop",             # (lower, upper, body_fun, init_val)
        "scan",                  # (f, init, xs=None, length=None, reverse=False, unroll=1)
        "associative_scan",      # (f, elems, reverse=False, axis=0)
        "map",                   # (f, xs)
        "vectorized_map",        # (function, elements)
        "custom_gradient",       # (f) -> h(*args), gradient given by f(*args)[1]
        "vectorize",             # (pyfunc, excluded=None, signature=None) -> function
    ),
    # NumPy-style ops. Binary ops promote with common.dtypes.result_type.
    "array_ops": (
        "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod",
        "power", "negative", "abs", "square", "sqrt", "exp", "log", "log1p", "expm1",
        "sin", "cos", "tan", "tanh", "sinh", "cosh", "arctan", "sign", "floor", "ceil",
        "round", "reciprocal", "maximum", "minimum", "equal", "not_equal", "less",
        "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
        "logical_not", "isnan", "isfinite", "isinf", "matmul", "dot", "einsum",
        "tensordot", "outer", "reshape", "transpose", "concatenate", "stack", "split",
        "expand_dims", "squeeze", "take", "take_along_axis", "where", "clip",
        "broadcast_to", "tile", "repeat", "pad", "flip", "cumsum", "cumprod", "sort",
        "argsort", "sum", "mean", "max", "min", "prod", "var", "std", "all", "any",
        "argmax", "argmin", "count_nonzero", "zeros", "ones", "full", "arange", "eye",
        "zeros_like", "ones_like", "full_like", "linspace", "tril", "triu", "moveaxis",
        "swapaxes", "ravel", "size", "ndim", "copy", "array", "nan_to_num", "unstack",
    ),
    # Neural-network ops.
    "nn": (
        "relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "gelu", "elu", "selu",
        "leaky_relu", "hard_sigmoid", "hard_silu", "log_sigmoid", "softmax", "log_softmax",
        "conv", "depthwise_conv", "max_pool", "average_pool", "one_hot", "moments",
        "batch_normalization", "layer_normalization", "binary_crossentropy", "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink", "sparse_plus", "sparse_sigmoid",
        "squareplus", "tanh_shrink", "threshold", "sparsemax", "polar", "normalize",
        "rms_normalization", "psnr", "multi_hot", "depth_to_space", "space_to_depth",
        "conv_transpose", "separable_conv", "adaptive_average_pool", "adaptive_max_pool",
        "unfold", "fold", "dot_product_attention", "ctc_loss", "ctc_decode",
    ),
    # Further NumPy-style ops, one module per family (kiln.ops.numpy re-exports them).
    # Element-wise math, bitwise and comparison ops.
    "array_math": (
        "angle", "arccos", "arccosh", "arcsin", "arcsinh", "arctan2", "arctanh", "cbrt",
        "conjugate", "deg2rad", "rad2deg", "exp2", "fabs", "fmax", "fmin", "fmod", "gcd", "lcm",
        "heaviside", "hypot", "i0", "imag", "real", "isreal", "isneginf", "isposinf", "ldexp",
        "log10", "log2", "logaddexp", "logaddexp2", "logical_xor", "nextafter", "signbit", "sinc",
        "trunc", "divide_no_nan", "isclose", "allclose", "bitwise_and", "bitwise_invert",
        "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "left_shift",
        "right_shift",
    ),
    # Statistics, nan-reductions, sorting, searching and set ops.
    "array_stats": (
        "average", "median", "percentile", "quantile", "nanargmax", "nanargmin",
        "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian", "nanmin",
        "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum", "nanvar", "ptp",
        "histogram", "bincount", "corrcoef", "correlate", "trace", "trapezoid",
        "argpartition", "searchsorted", "digitize", "unique", "nonzero", "isin",
    ),
    # Array construction and manipulation.
    "array_shape": (
        "append", "array_split", "dsplit", "hsplit", "vsplit", "dstack", "hstack", "vstack",
        "diag", "diagflat", "diagonal", "diff", "empty", "empty_like", "fliplr", "flipud",
        "roll", "rot90", "tri", "vander", "meshgrid", "geomspace", "logspace", "kron", "inner",
        "vdot", "cross", "select", "unravel_index", "view", "bartlett", "blackman", "hamming",
        "hanning", "kaiser",
    ),
    "math": ("logsumexp", "erf", "rsqrt", "top_k", "in_top_k", "segment_sum",
             "erfc", "erfinv", "segment_max", "segment_min", "segment_prod", "logdet",
             "view_as_complex", "view_as_real", "fft", "fft2", "ifft2", "rfft", "irfft",
             "extract_sequences", "stft", "istft", "cdist"),
    "linalg": ("norm", "inv", "solve", "cholesky", "det", "cholesky_inverse", "eig", "eigh",
               "jvp", "lstsq", "lu_factor", "matrix_rank", "pinv", "qr", "solve_triangular", "svd",
               "slogdet"),
    "image": ("resize", "affine_transform", "crop_images", "elastic_transform", "extract_patches",
              "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates", "pad_images",
              "perspective_transform", "rgb_to_grayscale", "rgb_to_hsv", "scale_and_translate",
              "sobel_edges", "ssim"),
    # Random ops take ``seed``: a backend int tensor of shape (2,) drawn by
    # kiln.random.draw_seed, never None.
    "random": ("normal", "uniform", "truncated_normal", "randint", "dropout", "shuffle",
               "categorical"),
    "rnn": (
        "rnn",   # (step_function, inputs, initial_states, ...) the generic time loop
        "lstm",  # fused tanh/sigmoid LSTM over a sequence (Keras weight layout) or NotImplementedError
        "gru",   # fused reset_after GRU over a sequence (Keras weight layout) or NotImplementedError
    ),
    # Training support used by kiln.trainers (see docs/ARCHITECTURE.md).
    "trainer": (
        "train_step",             # Keras 3's per-backend signature (jax: (model, state, data))
        "test_step",              # idem; Model.train_step/test_step/predict_step call these
        "predict_step",
        "make_train_function",    # (model) -> fn(data) -> logs; fn.run_steps(list of data) -> logs
        "make_test_function",     # (model) -> fn(data) -> logs dict of scalars
        "make_predict_function",  # (model) -> fn(data) -> outputs (native tensors)
        "to_backend_batch",       # (numpy-nested batch) -> native-tensor-nested batch
        "sync_state",             # (model) -> write any step-held state back into Variables
    ),
    "optimizer": ("fused_apply",),  # (optimizer, grads, variables) -> bool: True if applied
    "layer": ("BackendLayer",),   # class mixed into kiln.layers.Layer (torch: nn.Module)
    "distribution": ("list_devices",),
    "export": ("export_model",),
}


def unsupported_functions(package):
    """Collect a backend package's gaps: ``{"module.function": reason}``.

    Each backend module may define ``UNSUPPORTED = {"function": "reason", ...}``
    for the interface functions it cannot provide; the package publishes their
    union as ``UNSUPPORTED`` (names) and ``UNSUPPORTED_REASONS`` (this dict).

    Example:
        >>> import types
        >>> pkg = types.SimpleNamespace(export=types.SimpleNamespace(UNSUPPORTED={"export_model": "todo"}))
        >>> unsupported_functions(pkg)
        {'export.export_model': 'todo'}
    """
    reasons = {}
    for module_name in INTERFACE:
        module = getattr(package, module_name, None)
        for name, reason in getattr(module, "UNSUPPORTED", {}).items():
            reasons[f"{module_name}.{name}"] = reason
    return reasons


def unsupported_error(backend_name, function_name):
    """Build the NotImplementedError a backend raises for a function it lacks.

    Example:
        >>> str(unsupported_error("numpy", "trainer.make_train_function"))[:36]
        'trainer.make_train_function is not '
    """
    return NotImplementedError(
        f"{function_name} is not supported by the {backend_name} backend. "
        "Choose another backend with the KILN_BACKEND environment variable."
    )
