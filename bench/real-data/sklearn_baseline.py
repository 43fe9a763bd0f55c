"""scikit-learn beside cvxnn on the same split: usage sklearn_baseline.py TRAIN.csv TEST.csv [--task classification|regression]
Reads the CSVs the benchmark writes (header, label last), z-scores the features with the training
rows' statistics (as cvxnn does), fits LogisticRegression / MLPClassifier(100) / SVC (or Ridge /
MLPRegressor(100) for regression) and prints one JSON object with test scores and fit times."""
import json
import sys
import time

import numpy as np

task = 'classification'
if '--task' in sys.argv:
    task = sys.argv[sys.argv.index('--task') + 1]
train = np.genfromtxt(sys.argv[1], delimiter=',', skip_header=1)
test = np.genfromtxt(sys.argv[2], delimiter=',', skip_header=1)
Xtr, ytr, Xte, yte = train[:, :-1], train[:, -1], test[:, :-1], test[:, -1]
mu, sd = Xtr.mean(0), Xtr.std(0)
sd[sd == 0] = 1
Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd

import sklearn  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

rows = []


def run(name, model, score):
    t = time.perf_counter()
    model.fit(Xtr, ytr)
    secs = time.perf_counter() - t
    rows.append({'model': name, 'test': float(score(model)), 'fitSeconds': secs})


if task == 'classification':
    ytr, yte = ytr.astype(int), yte.astype(int)
    acc = lambda m: (m.predict(Xte) == yte).mean()  # noqa: E731
    run('LogisticRegression(C=1)', LogisticRegression(max_iter=10000), acc)
    run('MLPClassifier(100), Adam', MLPClassifier(hidden_layer_sizes=(100,), max_iter=2000, random_state=0), acc)
    run('SVC(rbf)', SVC(), acc)
else:
    mse = lambda m: ((m.predict(Xte) - yte) ** 2).mean()  # noqa: E731
    run('Ridge(alpha=1)', Ridge(alpha=1.0), mse)
    run('MLPRegressor(100), Adam', MLPRegressor(hidden_layer_sizes=(100,), max_iter=5000, random_state=0), mse)

print(json.dumps({'sklearn': sklearn.__version__, 'metric': 'accuracy' if task == 'classification' else 'mse', 'rows': rows}))
