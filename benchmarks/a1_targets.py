"""CS231n assignment 1 accuracy targets on the real CIFAR-10, one section per classifier.

    nice python benchmarks/a1_targets.py knn        # 5000/500 subset, 5-fold CV over k
    nice python benchmarks/a1_targets.py knn_full   # 50,000 train / 10,000 test, CV'd k and k=10
    nice python benchmarks/a1_targets.py linear     # SVM and softmax grid searches
    nice python benchmarks/a1_targets.py softmax [lr reg iters]   # one softmax, raw pixels
    nice python benchmarks/a1_targets.py net [hidden iters lr reg]   # two-layer net, raw pixels
    nice python benchmarks/a1_targets.py features   # HOG + hue histogram, SVM and two-layer net

Splits as in CS231n: training images 0..48999, validation 49000..49999; test accuracies are
reported on the full 10,000-image test set (and on its first 1,000, the notebooks' test set).
Every section seeds NumPy, so a rerun gives the same numbers. CVNN_DATA points at the data.
"""
import sys
import time

import numpy as np

from cvnn.classifiers.k_nearest_neighbor import (KNearestNeighbor, knn_cross_validate,
                                                 knn_get_best_k)
from cvnn.classifiers.linear_classifier import LinearSVM, Softmax
from cvnn.classifiers.neural_net import TwoLayerNet
from cvnn.data_utils import load_CIFAR10
from cvnn.features import color_histogram_hsv, extract_features, hog_feature

K_CHOICES = [1, 3, 5, 8, 10, 12, 15, 20, 50, 100]


def acc(pred, y):
    return float(np.mean(pred == y))


def report(name, test_pred, y_test, extra=""):
    print("%-34s test %.4f (10,000 images)  first 1,000: %.4f %s"
          % (name, acc(test_pred, y_test), acc(test_pred[:1000], y_test[:1000]), extra), flush=True)


def knn_subset():
    Xtr, ytr, Xte, yte = load_CIFAR10(dtype=np.uint8)
    Xtr, ytr, Xte, yte = Xtr[:5000], ytr[:5000], Xte[:500], yte[:500]
    t = time.time()
    k_to_acc = knn_cross_validate(Xtr, ytr, num_folds=5, k_choices=K_CHOICES)
    best_k = knn_get_best_k(k_to_acc)
    for k in K_CHOICES:
        print("k = %3d  cv accuracy %.4f" % (k, np.mean(k_to_acc[k])))
    clf = KNearestNeighbor()
    clf.train(Xtr, ytr)
    pred = clf.predict(Xte, k=best_k)
    pred1 = clf.predict(Xte, k=1)
    print("kNN 5000/500 subset: k=1 test %.4f; cross-validated k=%d test %.4f (%.1f s)"
          % (acc(pred1, yte), best_k, acc(pred, yte), time.time() - t), flush=True)
    return best_k


def knn_full(ks=(10,)):
    Xtr, ytr, Xte, yte = load_CIFAR10(dtype=np.uint8)
    t = time.time()
    clf = KNearestNeighbor()
    clf.train(Xtr, ytr)  # float64 copy of the training set, 1.2 GB
    del Xtr
    preds = {k: np.empty(len(yte), np.int64) for k in ks}
    block = 500
    for i in range(0, Xte.shape[0], block):
        d = clf.compute_distances_no_loops(Xte[i:i + block])
        for k in ks:
            preds[k][i:i + block] = clf.predict_labels(d, k=k)
    for k in ks:
        print("kNN full 50,000/10,000, k=%d: test %.4f" % (k, acc(preds[k], yte)), flush=True)
    print("(%.1f s)" % (time.time() - t))


def softmax(lr=5e-7, reg=5e2, iters=8000):
    """One softmax configuration on raw pixels with the bias trick, seeded. The defaults are
    the best found after the grid search of `linear` (lr 1e-6, reg 1e3, 3000 iterations: 39.5%
    test): a smaller step, less regularization and more iterations."""
    X_train, y_train, X_val, y_val, X_test, y_test = cs231n_linear_data()
    X_train, X_val, X_test = bias_trick(X_train), bias_trick(X_val), bias_trick(X_test)
    np.random.seed(0)
    clf = Softmax()
    clf.train(X_train, y_train, learning_rate=lr, reg=reg, num_iters=iters, batch_size=200)
    report("Softmax (lr %.1e reg %.1e, %d iterations)" % (lr, reg, iters), clf.predict(X_test),
           y_test, "val %.4f" % acc(clf.predict(X_val), y_val))


def cs231n_linear_data():
    Xtr, ytr, Xte, yte = load_CIFAR10(dtype=np.float64)
    Xtr = Xtr.reshape(50000, -1)
    Xte = Xte.reshape(10000, -1)
    X_train, y_train = Xtr[:49000], ytr[:49000]
    X_val, y_val = Xtr[49000:], ytr[49000:]
    mean = X_train.mean(axis=0)
    X_train, X_val, X_test = X_train - mean, X_val - mean, Xte - mean
    return X_train, y_train, X_val, y_val, X_test, yte


def bias_trick(X):
    return np.hstack([X, np.ones((X.shape[0], 1))])


def linear_search(cls, name, data, lrs, regs, num_iters, batch_size=200):
    X_train, y_train, X_val, y_val, X_test, y_test = data
    best = (-1, None, None)
    for lr in lrs:
        for reg in regs:
            np.random.seed(0)
            clf = cls()
            clf.train(X_train, y_train, learning_rate=lr, reg=reg, num_iters=num_iters,
                      batch_size=batch_size)
            tr, va = acc(clf.predict(X_train), y_train), acc(clf.predict(X_val), y_val)
            print("%s lr %.1e reg %.1e: train %.4f val %.4f" % (name, lr, reg, tr, va), flush=True)
            if va > best[0]:
                best = (va, clf, (lr, reg))
    va, clf, (lr, reg) = best
    report("%s best (lr %.1e reg %.1e)" % (name, lr, reg), clf.predict(X_test), y_test,
           "val %.4f" % va)
    return clf


def linear():
    X_train, y_train, X_val, y_val, X_test, y_test = cs231n_linear_data()
    data = (bias_trick(X_train), y_train, bias_trick(X_val), y_val, bias_trick(X_test), y_test)
    linear_search(LinearSVM, "SVM", data, [3e-7, 1e-6], [1e2, 1e3], 3000)
    linear_search(Softmax, "Softmax", data, [3e-7, 1e-6], [1e2, 1e3], 3000)


def net(hidden=200, iters=5000, lr=1e-3, reg=0.25):
    """One configuration (hidden size, iterations, learning rate, reg from the command line),
    float32, batch 200, learning rate decayed by 0.95 per epoch, as the notebook trains."""
    X_train, y_train, X_val, y_val, X_test, y_test = cs231n_linear_data()
    X_train, X_val, X_test = (x.astype(np.float32) for x in (X_train, X_val, X_test))
    np.random.seed(0)
    t = time.time()
    nn = TwoLayerNet(3072, hidden, 10, std=1e-4, dtype=np.float32)
    stats = nn.train(X_train, y_train, X_val, y_val, learning_rate=lr, learning_rate_decay=0.95,
                     reg=reg, num_iters=iters, batch_size=200, verbose=True)
    print("val accuracy per epoch:", " ".join("%.3f" % v for v in stats["val_acc_history"]))
    va = acc(nn.predict(X_val), y_val)
    report("TwoLayerNet h=%d lr %.0e reg %.2f iters %d" % (hidden, lr, reg, iters),
           nn.predict(X_test), y_test, "val %.4f (%.0f s)" % (va, time.time() - t))


def features():
    Xtr, ytr, Xte, yte = load_CIFAR10(dtype=np.float64)
    t = time.time()
    fns = [hog_feature, lambda img: color_histogram_hsv(img, nbin=10)]
    F_tr = extract_features(Xtr, [hog_feature, color_histogram_hsv])
    F_te = extract_features(Xte, [hog_feature, color_histogram_hsv])
    print("features for 60,000 images: %.1f s, dim %d" % (time.time() - t, F_tr.shape[1]), flush=True)
    assert np.allclose(extract_features(Xtr[:3], fns), F_tr[:3])
    X_train, y_train, X_val, y_val = F_tr[:49000], ytr[:49000], F_tr[49000:], ytr[49000:]
    mean = X_train.mean(axis=0, keepdims=True)
    std = X_train.std(axis=0, keepdims=True)
    X_train, X_val, X_test = ((x - mean) / std for x in (X_train, X_val, F_te))
    data = (bias_trick(X_train), y_train, bias_trick(X_val), y_val, bias_trick(X_test), yte)
    linear_search(LinearSVM, "SVM on features", data, [1e-3, 3e-3], [1e-3, 1e-2], 3000)
    best = (-1, None, None)
    for lr, reg in [(0.3, 1e-3), (0.1, 1e-3)]:
        np.random.seed(0)
        nn = TwoLayerNet(X_train.shape[1], 500, 10, std=1e-2)
        nn.train(X_train, y_train, X_val, y_val, learning_rate=lr, learning_rate_decay=0.95,
                 reg=reg, num_iters=3000, batch_size=200)
        va = acc(nn.predict(X_val), y_val)
        print("features net lr %.1e reg %.1e: val %.4f" % (lr, reg, va), flush=True)
        if va > best[0]:
            best = (va, nn, (lr, reg))
    va, nn, (lr, reg) = best
    report("TwoLayerNet on features (lr %.1e reg %.0e)" % (lr, reg), nn.predict(X_test), yte,
           "val %.4f" % va)


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("knn", "all"):
        best_k = knn_subset()
    if what in ("knn_full", "all"):
        knn_full(tuple(sorted({10, *[int(a) for a in sys.argv[2:]]})) if what == "knn_full" else (10, best_k))
    if what in ("linear", "all"):
        linear()
    if what in ("softmax", "all"):
        softmax(*[f(a) for f, a in zip((float, float, int), sys.argv[2:])] if what == "softmax" else [])
    if what in ("net", "all"):
        net(*[f(a) for f, a in zip((int, int, float, float), sys.argv[2:])] if what == "net" else [])
    if what in ("features", "all"):
        features()
