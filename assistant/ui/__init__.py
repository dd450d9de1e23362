"""The Gradio front end: one module per tab, pure render helpers in `render`."""
