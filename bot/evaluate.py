"""Evaluation (filled in below)."""


def add_eval_parser(sub) -> None:
    return None
