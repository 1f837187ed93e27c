"""scikit-learn's estimator checks for PartialLabelClassifier, fitted here on one class per item (singleton
candidate sets, i.e. ordinary supervised training). Checks that cannot apply are listed with the reason."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from weaklabel import PartialLabelClassifier

EXPECTED_FAILED: dict[str, str] = {}


@parametrize_with_checks(
    [PartialLabelClassifier(hidden_sizes=(32,), max_epochs=40, verbose=0, random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
