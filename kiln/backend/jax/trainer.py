"""JAX backend training steps (placeholder: the lead writes this module)."""


def make_train_function(model):
    raise NotImplementedError("trainer.make_train_function: written by the lead")


def make_test_function(model):
    raise NotImplementedError("trainer.make_test_function: written by the lead")


def make_predict_function(model):
    raise NotImplementedError("trainer.make_predict_function: written by the lead")


def to_backend_batch(batch):
    raise NotImplementedError("trainer.to_backend_batch: written by the lead")


def sync_state(model):
    raise NotImplementedError("trainer.sync_state: written by the lead")
