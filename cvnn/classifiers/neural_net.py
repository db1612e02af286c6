"""The CS231n A1 (2017-2020) two-layer network: affine - ReLU - affine - softmax, trained by
minibatch SGD with a learning rate decayed once per epoch. Its layers are cvnn.layers (C
kernels). The L2 term is reg * (sum(W1^2) + sum(W2^2)), gradient 2 * reg * W, as in CS231n A1;
biases are not regularized."""
import numpy as np

from ..layers import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss


class TwoLayerNet(object):
    """A two-layer fully-connected neural network. The net has an input dimension of N, a
    hidden layer dimension of H, and performs classification over C classes. We train the
    network with a softmax loss function and L2 regularization on the weight matrices. The
    network uses a ReLU nonlinearity after the first fully connected layer.

    The outputs of the second fully-connected layer are the scores for each class.

    Parameters
    ----------
    input_size : int, the dimension D of the input data
    hidden_size : int, the number of neurons H in the hidden layer
    output_size : int, the number of classes C
    std : float, weights are initialised as std * randn, biases as zeros
    dtype : numpy float type for the parameters (float64 as CS231n; float32 halves the work)

    Attributes
    ----------
    params : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    """

    def __init__(self, input_size, hidden_size, output_size, std=1e-4, dtype=np.float64):
        self.params = {}
        self.params["W1"] = (std * np.random.randn(input_size, hidden_size)).astype(dtype)
        self.params["b1"] = np.zeros(hidden_size, dtype)
        self.params["W2"] = (std * np.random.randn(hidden_size, output_size)).astype(dtype)
        self.params["b2"] = np.zeros(output_size, dtype)

    def loss(self, X, y=None, reg=0.0):
        """Compute the loss and gradients for a two layer fully connected neural network.

        Parameters
        ----------
        X : ndarray, shape (N, D), input data (converted to the parameters' dtype)
        y : ndarray, shape (N,), optional labels, 0 <= y[i] < C
        reg : float, regularization strength

        Returns
        -------
        If y is None: scores, ndarray of shape (N, C), scores[i, c] the score for class c on
        input X[i]. Otherwise (loss, grads): loss the data loss plus the L2 term for this
        batch, grads a dict with the keys of self.params holding the gradients.
        """
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        X = np.asarray(X, dtype=W1.dtype)
        h_pre, fc1_cache = affine_forward(X, W1, b1)
        h, relu_cache = relu_forward(h_pre)
        scores, fc2_cache = affine_forward(h, W2, b2)
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + reg * (float(np.sum(W1 * W1)) + float(np.sum(W2 * W2)))
        grads = {}
        dh, grads["W2"], grads["b2"] = affine_backward(dscores, fc2_cache)
        dh_pre = relu_backward(dh, relu_cache)
        _, grads["W1"], grads["b1"] = affine_backward(dh_pre, fc1_cache)
        grads["W1"] += 2 * reg * W1
        grads["W2"] += 2 * reg * W2
        return loss, grads

    def train(self, X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95,
              reg=5e-6, num_iters=100, batch_size=200, verbose=False):
        """Train this neural network using stochastic gradient descent.

        Minibatches are sampled with replacement; after every epoch (max(N / batch_size, 1)
        iterations) the train and validation accuracies are recorded and the learning rate is
        multiplied by learning_rate_decay.

        Parameters
        ----------
        X : ndarray, shape (N, D), training data
        y : ndarray, shape (N,), training labels
        X_val : ndarray, shape (N_val, D), validation data
        y_val : ndarray, shape (N_val,), validation labels
        learning_rate : float, the SGD step
        learning_rate_decay : float, factor applied to the learning rate after each epoch
        reg : float, regularization strength
        num_iters : int, number of steps
        batch_size : int, training examples per step
        verbose : bool, print progress every 100 iterations

        Returns
        -------
        stats : dict with loss_history (list, one loss per iteration), train_acc_history and
            val_acc_history (lists, one accuracy per epoch)
        """
        X = np.asarray(X)
        y = np.asarray(y)
        num_train = X.shape[0]
        if num_train == 0:
            raise ValueError("train: X has no rows")
        if batch_size < 1:
            raise ValueError("train: batch_size (%d) must be >= 1" % batch_size)
        iterations_per_epoch = max(num_train / batch_size, 1)

        loss_history, train_acc_history, val_acc_history = [], [], []
        for it in range(num_iters):
            idx = np.random.choice(num_train, batch_size, replace=True)
            X_batch, y_batch = X[idx], y[idx]
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)
            for name in self.params:
                self.params[name] -= learning_rate * grads[name]
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
            if it % iterations_per_epoch == 0:
                train_acc_history.append(float((self.predict(X_batch) == y_batch).mean()))
                val_acc_history.append(float((self.predict(X_val) == y_val).mean()))
                learning_rate *= learning_rate_decay

        return {"loss_history": loss_history, "train_acc_history": train_acc_history,
                "val_acc_history": val_acc_history}

    def predict(self, X):
        """Use the trained weights of this two-layer network to predict labels.

        Parameters
        ----------
        X : ndarray, shape (N, D)

        Returns
        -------
        y_pred : ndarray, shape (N,), the highest-scoring class of each row
        """
        return np.argmax(self.loss(X), axis=1)
