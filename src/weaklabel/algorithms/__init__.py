"""The methods the estimators are glue around, each in its own module and tested on its own.

- :mod:`.pair_sampling`: the clustering estimator's training pairs (a random mined neighbour per row, the
  batch's far pairs).
- :mod:`.graph_refinement`: free per-sample logits optimised on the SCAN loss over the whole neighbour graph.
- :mod:`.cross_fitting`: out-of-fold soft labels and the fold-network ensemble of the positive-only estimator.
- :mod:`.expected_positives`: the number of true labels per item, guessed from near neighbours' positives.

They sit above :mod:`weaklabel.losses` and :mod:`weaklabel.training` and below :mod:`weaklabel.estimators`.
"""
