"""The joint calibration's rule: a change must be no worse on any figure of any library."""

from bot.evaluation.calibrate import as_good

SHIPPED = {"news": {"in_refused": 0.02, "out_refused": 0.9, "procedural_answered": 0.0, "hit": 0.9, "h1": 0.7, "h3": 0.85},
           "real": {"in_refused": 0.08, "out_refused": 0.78, "procedural_answered": 0.33, "hit": 0.66, "h1": 0.37, "h3": 0.53}}


def _with(lib: str, **changes) -> dict:
    return {name: {**figures, **(changes if name == lib else {})} for name, figures in SHIPPED.items()}


def test_better_on_one_library_and_equal_elsewhere_is_as_good():
    assert as_good(_with("real", hit=0.7, out_refused=0.8), SHIPPED)


def test_worse_on_any_figure_of_any_library_is_not():
    assert not as_good(_with("news", h1=0.69), SHIPPED)  # higher is better
    assert not as_good(_with("real", in_refused=0.09), SHIPPED)  # lower is better
    assert not as_good(_with("real", procedural_answered=0.34), SHIPPED)


def test_slack_allows_that_much_worse():
    assert as_good(_with("news", h1=0.695), SHIPPED, slack=0.01)
    assert not as_good(_with("news", h1=0.68), SHIPPED, slack=0.01)
