"""Evaluating the assistant on a Q&A test set: schema and loader, pure metrics, runner, report."""
