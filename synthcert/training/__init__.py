"""Training helpers that need no TensorFlow: fitting real photos to the model input, augmenting them,
assembling batches, and drawing predictions and learning curves.

`synthcert.keras` builds the streams, the model and the training run on top of these. Nothing in this
package may import TensorFlow or Keras, so that evaluation reports, previews and tests stay light.
"""
