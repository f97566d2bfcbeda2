"""Tooling for mnist_analysis.ipynb that is not the lesson itself, tested on its own (tests/).

- data.py: read MNIST from the verified local copy (or download it) and check its checksums;
- digits.py: turn a picture of one digit into an MNIST-style 28 x 28 image;
- predict.py: read a digit with a trained model (test-time views, calibrated confidence);
- samples.py: photo-like pictures of digits made in code (for demos and tests);
- saving.py: save a trained model so that every Keras version the requirements admit loads it;
- pad.py (+ pad.js, pad.css): the drawing pad widget.

On Colab, opened with only the notebook, the notebook's first cell fetches these files (FILES) and the
committed results it reads (RESULT_FILES) from the repository on GitHub before importing them.
"""

FILES = ["__init__.py", "data.py", "digits.py", "predict.py", "samples.py", "saving.py", "pad.py",
         "pad.js", "pad.css"]
# The committed files in results/ that the notebook reads (fetched with the module on Colab): results of
# the long runs in benchmarks/, the committed models, and predict_digit's parameters for the CNN.
RESULT_FILES = ["metrics.json", "test_set_log.json", "ablation.json", "ablation_round1.json", "peers.json",
                "dense_tuning.json", "load_digits_seeds.json", "honest_answers.json", "honest_examples.npz",
                "predict_digit.json", "predict_digit.npz", "mnist_cnn.keras", "dense_same_recipe.keras"]


def import_tensorflow_quietly():
    """Import TensorFlow without the start-up messages it writes straight to the process's stderr.

    TensorFlow 2.20-2.21 prints CUDA and CPU-feature notes on import even without a GPU (a known
    issue); they are not results, so the notebook hides them. Returns the tensorflow module.
    """
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ logs: errors only
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # file descriptor 2 (stderr) -> /dev/null while TensorFlow loads
    try:
        import tensorflow as tf
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tf
