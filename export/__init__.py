"""Training and ONNX export of the MILM. Imports torch; the runtime never imports this."""
