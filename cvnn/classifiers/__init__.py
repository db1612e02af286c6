"""Classifiers. As in CS231n, the kNN and linear classifiers are importable from the package
itself (``from cvnn.classifiers import KNearestNeighbor, LinearSVM, Softmax``); the models live
in their modules (``cvnn.classifiers.fc_net``, ``cnn``, ``neural_net``)."""
from .k_nearest_neighbor import KNearestNeighbor, knn_cross_validate, knn_get_best_k
from .linear_classifier import LinearClassifier, LinearSVM, Softmax

__all__ = ["KNearestNeighbor", "knn_cross_validate", "knn_get_best_k",
           "LinearClassifier", "LinearSVM", "Softmax"]
