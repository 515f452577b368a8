"""Offline edge smart-home assistant: speech and camera -> MILM on ONNX Runtime -> MQTT."""

__version__ = "0.1.0"
