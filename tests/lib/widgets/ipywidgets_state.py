"""Writes fixtures/ipywidgets_8_state.json: the default state of each model
this library implements, as ipywidgets 8 (Python) makes it. The widget tests
compare our states' keys and defaults with it. Run with the project venv:
  .venv/bin/python tests/lib/widgets/ipywidgets_state.py
"""
import json
import pathlib

import ipywidgets as w

NAMES = ["IntSlider", "FloatSlider", "FloatLogSlider", "IntProgress",
         "FloatProgress", "Button", "ToggleButton", "Checkbox", "Dropdown",
         "Text", "Label", "HTML", "Image", "Output", "HBox", "VBox", "Layout"]
# The style models, by the control whose style they are.
STYLES = ["IntSlider", "IntProgress", "Button", "ToggleButton", "Checkbox",
          "Dropdown", "Text", "Label", "HTML"]


def plain(state):
    """References and bytes as markers: their values differ per run."""
    out = {}
    for key, value in state.items():
        if isinstance(value, str) and value.startswith("IPY_MODEL_"):
            value = "IPY_MODEL_"
        elif isinstance(value, (bytes, memoryview)):
            value = "<bytes>"
        out[key] = value
    return out


states = {name: plain(getattr(w, name)().get_state()) for name in NAMES}
for name in STYLES:
    style = getattr(w, name)().style
    states[type(style).__name__] = plain(style.get_state())
states["_ipywidgets_version"] = w.__version__
path = pathlib.Path(__file__).parent / "fixtures" / "ipywidgets_8_state.json"
path.write_text(json.dumps(states, indent=2, sort_keys=True) + "\n")
