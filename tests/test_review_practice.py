"""Practice helpers: prompts have hidden model designs, the live review box and the checklist render."""

from apidesign.review.checklist import checklist_markdown, load_checklist
from apidesign.review.practice import checklist_panel, load_prompts, report, reveal_html, review_panel


def test_every_prompt_has_a_model_design_that_the_reviewer_passes():
    prompts = load_prompts()
    assert [p.id for p in prompts] == ["url-shortener", "ride-sharing", "file-upload"]
    for p in prompts:
        assert "0 errors, 0 warnings, 0 info" in reveal_html(p)


def test_a_model_design_is_collapsed_until_the_learner_opens_it():
    shown = reveal_html(load_prompts()[0])
    assert shown.startswith("<details><summary>") and shown.index("</summary>") < shown.index("/v1/links")


def test_the_report_says_why_a_design_cannot_be_read_instead_of_raising():
    assert report("no table here").startswith("**Cannot read this design:**")
    assert report("| Method | Path |\n|---|---|\n| GET | /v1/users/{id} |").startswith("**Review:** 1 error")


def test_the_review_box_redoes_the_review_when_the_text_changes():
    panel = review_panel("| Method | Path |\n|---|---|\n| POST | /sendMessage |")
    area, result = panel.children
    assert "verb-in-path" in result.value
    area.value = "no table"
    assert "Cannot read this design" in result.value


def test_the_checklist_links_every_item_to_its_chapter_and_counts_ticks():
    items = load_checklist()
    assert checklist_markdown(items).count("](0") == len(items)
    panel = checklist_panel(items)
    *rows, count = panel.children
    rows[0].children[0].value = True
    assert count.value == f"<b>1 of {len(items)} done</b>"
    assert "[x] " + items[0].text in checklist_markdown(items, done=frozenset({items[0].id}))


def test_each_prompt_lists_its_core_flows_and_its_model_design_serves_them_all():
    from apidesign.review import load_design, review
    for p in load_prompts():
        bare = load_design(p.model_path)
        without_own = bare.__class__(bare.endpoints, tuple(n for n in bare.notes if not n.is_flow), bare.title)
        assert p.flows and [f for f in review(without_own, flows=p.flows) if f.rule == "missing-core-flow"] == []


def test_a_prompts_flow_that_no_endpoint_serves_is_reported():
    from apidesign.review import review
    [url] = [p for p in load_prompts() if p.id == "url-shortener"]
    design = "| Method | Path | Description |\n|---|---|---|\n| POST | /v1/links | Shorten a URL |"
    missing = [f.line for f in review(design, flows=url.flows) if f.rule == "missing-core-flow"]
    assert missing == ["Follow a short link", "See my links and their click counts"]


def test_the_review_box_given_no_text_says_what_it_needs_instead_of_a_trait_error():
    panel = review_panel(42)
    assert "needs the design as markdown text" in panel.value and "int 42" in panel.value


def test_the_panels_display_a_static_description_before_the_widget(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    review_panel("| Method | Path |\n|---|---|\n| GET | /v1/users/{id} |")
    checklist_panel()
    assert "Live box" in shown[0] and "Live checklist" in shown[1]
