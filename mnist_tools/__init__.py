"""Tooling for mnist_analysis.ipynb that is not the lesson itself, tested on its own (tests/).

- data.py: read MNIST from the verified local copy (or download it) and check its checksums;
- digits.py: turn a picture of one digit into an MNIST-style 28 x 28 image;
- predict.py: read a digit with a trained model (test-time views, calibrated confidence);
- pad.py (+ pad.js, pad.css): the drawing pad widget.

On Colab, opened with only the notebook, the notebook's first cell fetches these files from the
repository on GitHub before importing them.
"""

FILES = ["__init__.py", "data.py", "digits.py", "predict.py", "pad.py", "pad.js", "pad.css"]
