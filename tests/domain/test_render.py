"""Post text templates: the documented variables, plain text untouched, helpful errors, and the sandbox."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from socialbot.domain.render import RenderContext, TemplateProblem, is_template, render

CTX = RenderContext(
    campaign_id="spring-launch",
    campaign_name="Spring Launch",
    occurrence=3,
    local=datetime(2027, 3, 25, 10, 5),  # a Thursday
    ends=date(2027, 4, 4),
    countdowns=(("launch", date(2027, 3, 28)), ("preview", date(2027, 3, 20))),
)


def problem(source: str, context: RenderContext = CTX) -> str:
    with pytest.raises(TemplateProblem) as info:
        render(source, context)
    return str(info.value)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ campaign.id }}", "spring-launch"),
        ("{{ campaign.name }}", "Spring Launch"),
        ("{{ occurrence }}", "3"),
        ("{{ date }}", "2027-03-25"),
        ("{{ time }}", "10:05"),
        ("{{ weekday }}", "Thursday"),
        ("{{ days_to_end }}", "10"),
        ("{{ days_to.launch }}", "3"),
        ("{{ days_to.preview }}", "-5"),  # negative once the countdown date has passed
        ("{{ days_to['launch'] }}", "3"),
    ],
)
def test_each_documented_variable(source, expected):
    assert render(source, CTX) == expected


def test_the_documented_example():
    source = "{{ days_to.launch }} days to the {{ campaign.name }}! Tip #{{ occurrence }} ({{ weekday }})"
    assert render(source, CTX) == "3 days to the Spring Launch! Tip #3 (Thursday)"


def test_days_are_counted_from_the_local_date_not_the_hour():
    late = RenderContext(
        "c", "C", 1, datetime(2027, 3, 27, 23, 59), date(2027, 3, 28), (("launch", date(2027, 3, 28)),)
    )
    assert render("{{ days_to_end }} {{ days_to.launch }} {{ date }}", late) == "1 1 2027-03-27"


def test_the_variables_are_exactly_the_documented_ones():
    assert set(CTX.variables()) == {"campaign", "occurrence", "date", "time", "weekday", "days_to_end", "days_to"}
    assert CTX.variables()["days_to"] == {"launch": 3, "preview": -5}
    no_countdowns = RenderContext("c", "C", 1, datetime(2027, 3, 25, 9, 0), date(2027, 3, 25))
    assert no_countdowns.variables()["days_to"] == {}
    assert no_countdowns.variables()["days_to_end"] == 0


def test_statements_and_filters_work():
    source = "{% if occurrence > 1 %}Again{% else %}First{% endif %}: {{ campaign.name | upper }}"
    assert render(source, CTX) == "Again: SPRING LAUNCH"


@pytest.mark.parametrize(
    "source",
    [
        "Live now! #SpringDrop",
        "  leading and trailing spaces  \n",
        "Braces { alone } and 50% off, {not a template}",
        "",
    ],
)
def test_plain_text_is_returned_exactly_as_written(source):
    assert not is_template(source)
    assert render(source, CTX) == source


@pytest.mark.parametrize("source", ["{{ x }}", "a {% if y %}{% endif %}", "{# note #} text"])
def test_template_markers_are_recognised(source):
    assert is_template(source)


def test_a_rendered_template_has_its_surrounding_whitespace_trimmed():
    assert render("\n  Tip #{{ occurrence }}  \n\n", CTX) == "Tip #3"
    assert render("{# a comment only #}  Hello  ", CTX) == "Hello"


def test_an_unknown_variable_names_the_variables_that_exist():
    message = problem("Hello {{ nmae }}")
    assert "'nmae' is undefined" in message
    assert "the variables are: campaign, date, days_to, days_to_end, occurrence, time, weekday" in message


def test_an_unknown_campaign_attribute_says_what_campaign_has():
    message = problem("{{ campaign.slug }}")
    assert message == "'campaign.slug' does not exist; campaign has only id and name"


@pytest.mark.parametrize("source", ["{{ days_to.lunch }}", "{{ days_to . lunch }}", "{{ days_to['lunch'] }}"])
def test_an_unknown_countdown_says_where_to_add_it_and_lists_the_defined_ones(source):
    message = problem(source)
    assert "no countdown named 'lunch'" in message
    assert "campaign.countdowns" in message
    assert "(defined: launch, preview)" in message


def test_an_unknown_countdown_without_any_countdowns_says_none_are_defined():
    bare = RenderContext("c", "C", 1, datetime(2027, 3, 25, 9, 0), date(2027, 4, 1))
    assert problem("{{ days_to.launch }}", bare).endswith("(defined: none)")


def test_an_undefined_variable_is_an_error_even_when_only_tested_in_a_statement():
    message = problem("{% for x in nothing %}{{ x }}{% endfor %}")
    assert "'nothing' is undefined" in message


@pytest.mark.parametrize(
    ("source", "line"),
    [("Hi {{ campaign.name", 1), ("first line\nsecond {% if %}{% endif %}", 2), ("{% endif %}", 1)],
)
def test_a_syntax_error_names_its_line(source, line):
    message = problem(source)
    assert message.startswith(f"template error on its line {line}: ")
    assert len(message) > len(f"template error on its line {line}: ")  # Jinja's reason follows


@pytest.mark.parametrize(
    ("source", "attribute"),
    [
        ("{{ ''.__class__ }}", "__class__"),
        ("{{ campaign.__class__.__mro__ }}", "__class__"),
        ("{{ cycler.__init__.__globals__ }}", "__init__"),
        ("{{ occurrence.__class__.__subclasses__() }}", "__class__"),
    ],
)
def test_the_sandbox_refuses_unsafe_attribute_access(source, attribute):
    message = problem(source)
    assert message.startswith("not allowed in a template: ")
    assert f"'{attribute}'" in message
    assert "unsafe" in message


def test_the_sandbox_refuses_huge_ranges():
    message = problem("{% for i in range(10**9) %}x{% endfor %}")
    assert message.startswith("not allowed in a template: ")
    assert "range() of more than 100,000 steps" in message


@pytest.mark.parametrize(
    ("source", "reason"),
    [("{{ 1 / 0 }}", "division by zero"), ("{{ occurrence + 'a' }}", "unsupported operand")],
)
def test_runtime_errors_become_template_problems(source, reason):
    message = problem(source)
    assert message.startswith("template failed: ")
    assert reason in message


def test_template_problem_does_not_chain_the_jinja_exception():
    with pytest.raises(TemplateProblem) as info:
        render("{{ nope }}", CTX)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ is True


def test_the_same_template_renders_per_occurrence():
    source = "Tip #{{ occurrence }} on {{ weekday }}"
    first = RenderContext("c", "C", 1, datetime(2027, 3, 22, 9, 0), date(2027, 4, 4))
    second = RenderContext("c", "C", 2, datetime(2027, 3, 23, 9, 0), date(2027, 4, 4))
    assert render(source, first) == "Tip #1 on Monday"
    assert render(source, second) == "Tip #2 on Tuesday"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ days_to['launch'] }} {{ campaign.slug }}", "'campaign.slug' does not exist"),
        ("{{ days_to.launch }} {{ campaign.launch }}", "'campaign.launch' does not exist"),
        ("{{ campaign.name }} {{ days_to.party }}", "no countdown named 'party'"),
    ],
)
def test_the_message_blames_the_name_that_is_missing_when_both_kinds_appear(template, expected):
    ctx = RenderContext(
        campaign_id="c",
        campaign_name="C",
        occurrence=1,
        local=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        ends=date(2026, 12, 31),
        countdowns=(("launch", date(2026, 12, 10)), ("preview", date(2026, 12, 5))),
    )
    with pytest.raises(TemplateProblem) as caught:
        render(template, ctx)
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{{ 'A' * 3000000000 }}", "longer than 50,000 characters"),
        ("{{ ['A'] * 3000000000 }}", "longer than 50,000 characters"),
        ("{{ 'x'|center(3000000000) }}", "longer than 50,000 characters"),
        ("{{ '%3000000000s' % 'x' }}", "longer than 50,000 characters"),
        ("{{ '{:>3000000000}'.format('x') }}", "longer than 50,000 characters"),
        ("{{ 9 ** 9999 }}", "powers above 64"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "more than 0.5 s"),
        ("{% for i in range(99999) %}{{ 'abcdefghij' }}{% endfor %}", "more than 50,000 characters"),
        # text that doubles in a loop: through ~, + and a namespace
        (
            "{% set ns = namespace(s='A' * 40000) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}{{ ns.s|length }}",
            "longer than 50,000 characters",
        ),
        (
            "{% set ns = namespace(s='A' * 40000) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
            "{% endfor %}{{ ns.s|length }}",
            "longer than 50,000 characters",
        ),
        # widths from the arguments and precisions
        ("{{ '%*d' % (2000000000, 1) }}", "longer than 50,000 characters"),
        ("{{ '%.*f' % (2000000000, 1) }}", "longer than 50,000 characters"),
        ("{{ '%.2000000000f' % 1 }}", "longer than 50,000 characters"),
        ("{{ '%(a)2000000000s' % {'a': 1} }}", "longer than 50,000 characters"),
        # filters and methods that multiply their input
        ("{{ ('A\\n' * 25000)|indent(40000)|length }}", "longer than 50,000 characters"),
        ("{{ (range(50000)|list)|join('B' * 40000)|length }}", "longer than 50,000 characters"),
        ("{{ ([('A' * 40000)] * 5)|join('')|length }}", "longer than 50,000 characters"),
        ("{{ ('A' * 40000).replace('A', 'A' * 40000)|length }}", "longer than 50,000 characters"),
        ("{{ ('A' * 40000)|replace('', 'B' * 40000)|length }}", "longer than 50,000 characters"),
        ("{{ ('a b ' * 20000)|wordwrap(1, wrapstring='W' * 40000)|length }}", "longer than 50,000 characters"),
        ("{{ ['A' * 40000]|batch(40000, 'x' * 40000)|list|length }}", "longer than 50,000 characters"),
        ("{{ ('\\t' * 40000).expandtabs(40000)|length }}", "'expandtabs' of 'str' object is unsafe"),
        ("{% set l = ['A'] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}", "'extend' of 'list'"),
        ("{{ lipsum(40000) }}", "'lipsum' is undefined"),
        # loops over long text and recursion that never call range()
        ("{% for a in 'A' * 40000 %}{% for b in 'B' * 40000 %}{% endfor %}{% endfor %}", "more than 0.5 s"),
        (
            "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}A{% endmacro %}{{ f(40)|length }}",
            "more than 0.5 s",
        ),
        # what the template prints must be text a platform and a terminal can take
        ("{{ '\\ud800' }}", "lone surrogate"),
        ("{{ '\\x1b[2J' }}", "U+001B (ESC)"),
    ],
)
def test_a_template_that_would_run_too_long_or_too_big_is_a_clear_problem(source, reason):
    import time

    started = time.monotonic()
    message = problem(source)
    assert reason in message
    assert time.monotonic() - started < 5  # refused, not computed


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 'hello %s'|format('world') }}", "hello world"),
        ("{{ 'a,b'|replace(',', ' and ') }}", "a and b"),
        ("{{ ['x', 'y']|join(', ') }}", "x, y"),
        ("{{ 'l1\\nl2'|indent(2) }}", "l1\n  l2"),
        (
            "{% set ns = namespace(s='') %}{% for w in ['a', 'b'] %}{% set ns.s = ns.s ~ w %}{% endfor %}{{ ns.s }}",
            "ab",
        ),
        ("[{{ '%5.1f%%' % 12.345 }}]", "[ 12.3%]"),
        ("{{ ('x' * 100)|wordwrap(40)|length }}", "102"),
        ("{% for c in 'abc' %}{{ loop.index }}{{ c }}{% endfor %}", "1a2b3c"),
    ],
)
def test_the_limits_leave_ordinary_templates_alone(source, expected):
    assert render(source, CTX) == expected


class _SteppingClock:
    """A CPU clock that moves only when told to (or by ``step`` at each reading)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_files_template_budget_counts_only_time_spent_rendering(monkeypatch):
    from socialbot.domain import render as render_module

    clock = _SteppingClock()
    monkeypatch.setattr(render_module, "_cpu", clock)
    with render_module.render_budget(1.0):
        for _ in range(5):
            clock.now += 10.0  # between renders: schedules expanded, a library imported, a busy machine
            assert render("{{ occurrence }}", CTX) == "3"


def test_a_file_whose_renders_use_up_its_budget_gets_a_clear_problem(monkeypatch):
    from socialbot.domain import render as render_module

    clock = _SteppingClock(step=0.2)  # every look at the clock: 0.2 s of rendering went by
    monkeypatch.setattr(render_module, "_cpu", clock)
    with render_module.render_budget(1.0):
        rendered = 0
        with pytest.raises(TemplateProblem, match="file's templates took more than"):
            for _ in range(20):
                render("{{ occurrence }}", CTX)
                rendered += 1
    assert 0 < rendered < 20


def test_a_render_cut_short_by_the_files_budget_says_so_not_that_it_looped(monkeypatch):
    """0.3 s of the file's budget left: a loop stopped at 0.3 s blames the file's total, not a 0.5 s loop."""
    from socialbot.domain import render as render_module

    clock = _SteppingClock(step=0.01)
    monkeypatch.setattr(render_module, "_cpu", clock)
    with render_module.render_budget(0.3), pytest.raises(TemplateProblem) as caught:
        render("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", CTX)
    assert "this file's templates took more than" in str(caught.value)
    assert "loop too large" not in str(caught.value)


def test_the_template_limits_count_cpu_time_not_time_waiting_for_the_cpu(monkeypatch):
    """On a loaded machine the wall clock runs on while the thread waits: that time is not the template's."""
    import time as real_time

    from socialbot.domain import render as render_module

    waits = iter(range(10**6))

    def slow_wall_clock() -> float:  # 1 s of wall time passes at every reading
        return float(next(waits))

    monkeypatch.setattr(real_time, "monotonic", slow_wall_clock)
    with render_module.render_budget(1.0):
        for _ in range(50):
            assert render("{% for i in range(3000) %}{% endfor %}{{ occurrence }}", CTX) == "3"
