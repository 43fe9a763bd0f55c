"""scikit-learn on Fashion-MNIST beside cvxnn: usage fashion_sklearn.py DIR [--models lr,mlp,svc]
Reads the four IDX files (train/t10k images and labels, .gz) from DIR, z-scores the pixels with
the training rows' statistics (as `cvxnn fit` does), fits LogisticRegression(C=1) and
MLPClassifier(100) (Adam; scikit-learn's defaults otherwise), optionally SVC(rbf), on the official
60 000 / 10 000 split, and prints one JSON object with test accuracies and fit times."""
import gzip
import json
import os
import sys
import time

import numpy as np


def idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], 'big') for k in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


d = sys.argv[1]
models = sys.argv[sys.argv.index('--models') + 1].split(',') if '--models' in sys.argv else ['lr', 'mlp']
Xtr = idx(os.path.join(d, 'train-images-idx3-ubyte.gz')).reshape(60000, -1).astype(np.float64)
ytr = idx(os.path.join(d, 'train-labels-idx1-ubyte.gz')).astype(int)
Xte = idx(os.path.join(d, 't10k-images-idx3-ubyte.gz')).reshape(10000, -1).astype(np.float64)
yte = idx(os.path.join(d, 't10k-labels-idx1-ubyte.gz')).astype(int)
mu, sd = Xtr.mean(0), Xtr.std(0)
sd[sd == 0] = 1
Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd

import sklearn  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

rows = []
make = {
    'lr': ('LogisticRegression(C=1)', lambda: LogisticRegression(max_iter=1000)),
    'mlp': ('MLPClassifier(100), Adam', lambda: MLPClassifier(hidden_layer_sizes=(100,), random_state=0)),
    'svc': ('SVC(rbf)', lambda: SVC()),
}
for key in models:
    name, build = make[key]
    model = build()
    t = time.perf_counter()
    model.fit(Xtr, ytr)
    secs = time.perf_counter() - t
    rows.append({'model': name, 'train': float((model.predict(Xtr) == ytr).mean()), 'test': float((model.predict(Xte) == yte).mean()), 'fitSeconds': secs})
    print(json.dumps(rows[-1]), file=sys.stderr)

print(json.dumps({'sklearn': sklearn.__version__, 'metric': 'accuracy', 'rows': rows}))
