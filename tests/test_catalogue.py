"""weaklabel.catalogue (what the command line's help lists without importing PyTorch) against the registries."""

from __future__ import annotations

import inspect

import pytest

from weaklabel import catalogue
from weaklabel.bench import _suite_modules
from weaklabel.cli_args import PARAM_FLAGS, build_parser
from weaklabel.losses import available_losses, families
from weaklabel.report import scenarios  # noqa: F401  (registers the demo's scenarios)
from weaklabel.report.demo import SCENARIOS
from weaklabel.tasks import TASKS


def test_the_tasks_are_the_registered_ones_with_their_descriptions_and_estimators():
    assert sorted(catalogue.TASKS) == sorted(TASKS)
    for name, info in catalogue.TASKS.items():
        assert info.summary == TASKS[name].description
        assert info.estimator == TASKS[name].estimator_class().__name__


@pytest.mark.parametrize("task", list(catalogue.TASKS))
def test_each_tasks_losses_and_default_are_its_estimators(task):
    info = catalogue.TASKS[task]
    estimator = TASKS[task].estimator_class()()
    assert info.losses == tuple(available_losses(info.loss_family))
    params = estimator.get_params()
    if "loss" in params:
        assert info.default_loss == params["loss"]
    else:  # SelfSupervisedClassifier: the losses are its network methods' (method="minmax_scan" or "scan")
        assert info.default_loss in info.losses and set(info.losses) <= set(type(estimator)._parameter_checks["method"].choices())
    checks = estimator._all_parameter_checks()
    if "loss" in checks:
        assert checks["loss"].choices() == available_losses(info.loss_family)


def test_every_loss_family_belongs_to_a_task():
    assert sorted(info.loss_family for info in catalogue.TASKS.values()) == families()


def test_the_demo_scenarios_are_the_registered_ones_in_order_with_their_titles():
    assert catalogue.SCENARIOS == {name: scenario.title for name, scenario in SCENARIOS.items()}


def test_the_bench_suites_are_the_suite_modules_and_describe_them_as_their_docstrings_do():
    assert sorted(catalogue.SUITES) == sorted(_suite_modules())
    for name, module in _suite_modules().items():
        doc = inspect.getdoc(__import__(f"weaklabel.bench.{module}", fromlist=["_"]))
        assert doc.splitlines()[0] == f"``weaklabel bench {name}``: {catalogue.SUITES[name]}."


def test_every_named_flag_sets_a_parameter_of_some_estimator_and_exists_on_the_command_line():
    parameters = {name for task in TASKS.values() for name in task.estimator_class()().get_params()}
    assert set(catalogue.PARAMETER_FLAGS) <= parameters
    options = {option for action in build_parser()._subparsers._group_actions[0].choices["fit"]._actions for option in action.option_strings}
    options |= {"--n-classes", "--method"}  # weaklabel cluster's
    assert set(catalogue.PARAMETER_FLAGS.values()) <= options
    assert set(PARAM_FLAGS.values()) == set(catalogue.PARAMETER_FLAGS) - {"n_classes"}


def test_flag_of_names_the_flag_or_the_param_form():
    assert catalogue.flag_of("max_epochs") == "--epochs"
    assert catalogue.flag_of("dropout") == "--param dropout=VALUE"


def test_fits_threshold_rules_are_the_estimators():
    from weaklabel.cli_args import THRESHOLD_RULES
    from weaklabel.estimators.multilabel import TUNING_RULES

    assert THRESHOLD_RULES == TUNING_RULES
