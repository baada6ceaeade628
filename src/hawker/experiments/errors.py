"""Experiments error codes."""

from hawker.core.errors import Conflict, Invalid, NotFound


class UnknownExperiment(NotFound):
    code = "unknown_experiment"
    title = "No such experiment or flag"


class UnknownMetric(Invalid):
    code = "unknown_metric"
    title = "No such metric"


class BadWeights(Invalid):
    code = "bad_weights"
    title = "Variant weights must add up to 10,000 basis points"


class LayerFull(Conflict):
    code = "layer_full"
    title = "The layer has no room for this experiment"


class IllegalExperimentTransition(Conflict):
    code = "illegal_experiment_transition"
    title = "The experiment cannot make that change in its state"


class DuplicateKey(Conflict):
    code = "duplicate_experiment_key"
    title = "An experiment or flag already has that key"


class NotStarted(Conflict):
    code = "experiment_not_started"
    title = "The experiment has not started: no results yet"
