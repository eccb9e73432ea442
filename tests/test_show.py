from apidesign.clock import FakeClock
from apidesign.show import show, source_of


def test_show_quotes_the_real_source_with_its_location():
    where, text = source_of(FakeClock)
    assert where.startswith("apidesign/clock.py, lines ")
    assert text.startswith("class FakeClock")
    md = show(FakeClock).data
    assert "```python\nclass FakeClock" in md and where in md
