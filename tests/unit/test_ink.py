"""What counts as hidden text: colours and contrast, covers, clips, the page edge, render modes,
transparency, layers, tiny and squeezed type, form XObjects; fed to `InkTracker` as operator
sequences, with runs reported the way pypdf reports them. All pure: no PDF is read."""

from __future__ import annotations

import pytest

from ingest.ink import (
    IDENTITY,
    MIN_EM,
    WHITE,
    InkTracker,
    colour_space,
    contrast,
    em_size,
    legible,
    rgb,
)

pytestmark = pytest.mark.unit
BLACK = (0.0, 0.0, 0.0)
WORDS = "Some words to read"
RESOURCES = {
    "/ExtGState": {
        "/Clear": {"/ca": 0, "/CA": 0},
        "/Half": {"/ca": 0.35},
        "/Nearly": {"/ca": 0.95},
        "/Multiply": {"/BM": "/Multiply"},
        "/Masked": {"/SMask": {"/S": "/Luminosity"}},
    },
    "/ColorSpace": {"/CS0": "/DeviceCMYK", "/Spot": ["/Separation", "/Spot", "/DeviceGray", {}]},
    "/XObject": {
        "/Im0": {"/Subtype": "/Image"},
        "/Masked": {"/Subtype": "/Image", "/SMask": {}},
    },
}


def text_at(x=72, y=700, size=12, text=WORDS, pre=()):
    """The operators that show `text` at (x, y): BT, Tf, state `pre`, Td, Tj, ET."""
    return [
        (b"BT", []),
        (b"Tf", ["/F1", size]),
        *pre,
        (b"Td", [x, y]),
        (b"Tj", [text]),
        (b"ET", []),
    ]


def box(x=60, y=690, w=300, h=30, op=b"f"):
    return [(b"re", [x, y, w, h]), (op, [])]


def draw(*parts, resources=None, bounds=(0.0, 0.0, 595.0, 842.0), layers_off=frozenset()):
    """Feed operator sequences to a tracker, reporting each Tj's text as one run; the visible
    texts, the hidden runs and the reasons."""
    tracker = InkTracker(
        bounds, resources if resources is not None else RESOURCES, layers_off=layers_off
    )
    for part in parts:
        for op, operands in part:
            tracker.before(op, operands)
            if op == b"Tj":
                tracker.text(operands[0], IDENTITY, IDENTITY, None, 12)
            tracker.after(op)
    fragments, hidden = tracker.finish()
    return [f.text for f in fragments], hidden, tracker.hidden_reasons


def reason(*parts, **kwargs):
    visible, hidden, reasons = draw(*parts, **kwargs)
    if not hidden:
        assert visible == [WORDS]
        return None
    assert hidden == [WORDS] and visible == []
    return reasons[0]


# -- colours -------------------------------------------------------------------------------------
def test_colours_in_each_colour_model():
    assert rgb("gray", [1.0]) == WHITE and rgb("gray", [0.0]) == BLACK
    assert rgb("rgb", [1, 1, 1]) == WHITE
    assert rgb("cmyk", [0, 0, 0, 0]) == WHITE and rgb("cmyk", [0, 0, 0, 1]) == BLACK
    assert rgb("tint", [0.0]) == WHITE  # no ink is the paper
    assert rgb("tint", [1.0]) is None and rgb("other", [1.0]) is None  # unknown, never a guess
    lab_white = rgb("lab", [100, 0, 0])
    assert lab_white is not None and min(lab_white) > 0.99


def test_colour_spaces_by_name_and_array():
    named = {"/CS9": ["/ICCBased", {"/N": 3}]}
    assert colour_space("/CS9", named.get).family == "rgb"
    assert colour_space(["/ICCBased", {"/N": 1}]).family == "gray"
    assert colour_space(["/Separation", "/None", "/DeviceGray", {}]).family == "none"
    assert colour_space(["/DeviceN", ["/Cyan", "/Spot"], "/DeviceCMYK", {}]).components == 2
    assert colour_space(["/Lab", {}]).family == "lab"
    assert colour_space("/Pattern").family == "pattern"
    assert colour_space(["/Weird"]).family == "other"
    indexed = colour_space(["/Indexed", "/DeviceRGB", 1, b"\x00\x00\x00\xff\xff\xff"])
    assert indexed.colour([1]) == WHITE and indexed.colour([0]) == BLACK


def test_contrast_and_colour_difference_decide_what_can_be_read():
    assert round(contrast(BLACK, WHITE)) == 21
    grey = lambda v: (v, v, v)  # noqa: E731
    assert not legible(grey(0.93), WHITE) and not legible(WHITE, WHITE)
    assert not legible(BLACK, BLACK) and not legible(grey(0.97), WHITE)
    assert legible(grey(0.5), WHITE) and legible(grey(0.88), WHITE)
    assert legible(WHITE, (0.1, 0.2, 0.4))  # white on navy
    assert legible((1.0, 1.0, 0.0), WHITE)  # yellow is dim on white, but plainly there
    assert not legible((0.1, 0.15, 0.4), (0.1, 0.15, 0.4))


def test_the_em_through_font_size_scaling_and_both_matrices():
    assert em_size(12, 1.0, IDENTITY, IDENTITY) == (12.0, 12.0)
    assert em_size(12, 0.01, IDENTITY, IDENTITY)[0] < MIN_EM  # 1 Tz
    assert em_size(1, 1.0, (0.01, 0, 0, 1, 0, 0), (1, 0, 0, 1, 0, 0))[0] < MIN_EM
    assert em_size(1, 1.0, (12, 0, 0, 12, 0, 0), (0.5, 0, 0, 0.5, 0, 0)) == (6.0, 6.0)
    assert (
        min(em_size(1.2, 1.0, IDENTITY, IDENTITY))
        < MIN_EM
        <= min(em_size(5, 1, IDENTITY, IDENTITY))
    )


# -- the ink -------------------------------------------------------------------------------------
def test_fill_colour_render_mode_and_alpha_decide_the_ink():
    assert reason(text_at()) is None
    assert reason([(b"rg", [1, 1, 1])], text_at()) == "low contrast"
    assert reason([(b"g", [1]), (b"g", [0])], text_at()) is None
    assert reason([(b"k", [0, 0, 0, 0])], text_at()) == "low contrast"
    assert reason([(b"cs", ["/CS0"]), (b"scn", [0, 0, 0, 0])], text_at()) == "low contrast"
    assert reason([(b"g", [0.93])], text_at()) == "low contrast"
    assert reason([(b"g", [0.5])], text_at()) is None
    assert reason([(b"cs", ["/Pattern"]), (b"scn", ["/P0"])], text_at()) is None  # unknown
    assert reason([(b"cs", ["/Spot"]), (b"scn", [0.7])], text_at()) is None  # a spot colour
    assert reason([(b"Tr", [3])], text_at()) == "invisible render mode"
    assert reason([(b"Tr", [7])], text_at()) == "invisible render mode"
    assert reason([(b"gs", ["/Clear"])], text_at()) == "transparent text"
    assert reason([(b"gs", ["/Masked"]), (b"g", [1])], text_at()) is None  # a soft mask: unknown
    # stroked text shows in its stroke colour, whatever the fill
    assert reason([(b"rg", [1, 1, 1]), (b"Tr", [1])], text_at()) is None
    assert reason([(b"RG", [1, 1, 1]), (b"Tr", [1])], text_at()) == "low contrast"


def test_q_and_Q_save_and_restore_the_ink():
    assert reason([(b"q", []), (b"rg", [1, 1, 1]), (b"Q", [])], text_at()) is None
    assert reason([(b"q", []), (b"Tr", [3]), (b"Q", [])], text_at()) is None
    assert reason([(b"rg", [1, 1, 1]), (b"q", []), (b"Q", [])], text_at()) == "low contrast"
    assert reason([(b"Q", [])], text_at()) is None  # an unbalanced Q is ignored


def test_clip_mode_text_shows_only_when_something_is_painted_through_it():
    clip_text = [(b"q", [])] + text_at(pre=[(b"Tr", [7])])
    assert reason(clip_text, [(b"Q", [])]) == "invisible render mode"
    assert reason(clip_text, box(), [(b"Q", [])]) is None


def test_clip_mode_text_clips_what_follows_until_Q_whatever_the_mode_at_ET():
    clip_text = [
        (b"BT", []),
        (b"Tf", ["/F1", 12]),
        (b"Tr", [7]),
        (b"Td", [300, 100]),
        (b"Tj", ["Clip"]),
        (b"Tr", [0]),
        (b"ET", []),
    ]
    assert draw(clip_text, text_at()) == (
        [],
        ["Clip", WORDS],
        ["invisible render mode", "clipped"],
    )
    visible, hidden, _ = draw([(b"q", [])], clip_text, [(b"Q", [])], text_at())
    assert visible == [WORDS]


# -- what is painted under and over the text -----------------------------------------------------
def test_text_on_a_box_is_judged_against_the_box():
    navy = [(b"rg", [0.1, 0.2, 0.4])]
    assert reason(navy, box(), [(b"g", [1])], text_at()) is None  # white on navy shows
    assert reason(navy, box(), text_at(pre=navy)) == "low contrast"  # navy on navy
    assert reason(box(), text_at()) == "low contrast"  # black on black
    assert reason([(b"g", [1])], box(), [(b"g", [0])], text_at()) is None  # black on a white box
    assert reason(box(op=b"S"), [(b"g", [1])], text_at()) == "low contrast"  # a stroke is no box
    # elsewhere on the page the box is not under the text
    assert reason(box(y=100), [(b"g", [1])], text_at()) == "low contrast"


def test_unknown_backgrounds_keep_the_text():
    image = [(b"q", []), (b"cm", [300, 0, 0, 30, 60, 690]), (b"Do", ["/Im0"]), (b"Q", [])]
    assert reason(image, [(b"g", [1])], text_at()) is None
    assert reason([(b"sh", ["/Sh0"])], [(b"g", [1])], text_at()) is None
    pattern = [(b"cs", ["/Pattern"]), (b"scn", ["/P0"])]
    assert reason(pattern, box(), [(b"g", [1])], text_at()) is None
    # a curve's bounding box is not known to be painted: black may still be on white
    curve = [(b"m", [60, 690]), (b"c", [60, 740, 360, 740, 360, 690]), (b"f", [])]
    assert reason(curve, text_at()) is None


def test_a_thin_rule_is_neither_a_background_nor_a_cover():
    rule = [(b"re", [60, 703, 300, 0.6]), (b"f", [])]
    column_line = [(b"re", [100, 690, 0.8, 30]), (b"f", [])]
    assert reason(rule, column_line, text_at()) is None  # black text across black rules
    assert reason(text_at(), rule, column_line) is None
    stroke = [(b"w", [0.5]), (b"m", [60, 704]), (b"l", [360, 704]), (b"S", [])]
    assert reason(text_at(), stroke) is None


def test_an_opaque_box_painted_over_text_covers_it():
    white = [(b"g", [1])]
    assert reason(text_at(), white, box()) == "covered"
    assert reason(text_at(), [(b"rg", [0.2, 0.3, 0.9])], box()) == "covered"
    thick = [(b"G", [1]), (b"w", [20]), (b"m", [60, 704]), (b"l", [360, 704]), (b"S", [])]
    assert reason(text_at(), thick) == "covered"
    image = [(b"q", []), (b"cm", [300, 0, 0, 30, 60, 690]), (b"Do", ["/Im0"]), (b"Q", [])]
    assert reason(text_at(), image) == "covered"
    masked = [(b"q", []), (b"cm", [300, 0, 0, 30, 60, 690]), (b"Do", ["/Masked"]), (b"Q", [])]
    assert reason(text_at(), masked) is None  # a soft-masked image may show what is under it
    assert reason(text_at(), white, box(y=100)) is None  # a box elsewhere covers nothing
    assert reason(text_at(), white, box(y=698, h=6)) is None  # over the feet of the letters only


def test_a_semi_transparent_highlight_is_no_cover_but_a_nearly_opaque_one_is():
    yellow = [(b"rg", [1, 1, 0])]
    assert reason(text_at(), [(b"gs", ["/Half"])], yellow, box()) is None
    assert reason(text_at(), [(b"gs", ["/Multiply"])], yellow, box()) is None
    assert reason(text_at(), [(b"gs", ["/Nearly"]), (b"g", [1])], box()) == "covered"
    # a highlight drawn first is the text's background: black on light yellow shows
    assert reason([(b"gs", ["/Half"])], yellow, box(), [(b"gs", ["/Nearly"])], text_at()) is None


# -- clips, the page and layers ------------------------------------------------------------------
def test_clipped_text_is_hidden_until_the_clip_is_restored():
    clip = [(b"q", []), (b"re", [400, 100, 50, 50]), (b"W", []), (b"n", [])]
    assert reason(clip, text_at(), [(b"Q", [])]) == "clipped"
    assert reason(clip, [(b"Q", [])], text_at()) is None
    slit = [(b"re", [60, 600, 400, 0.2]), (b"W", []), (b"n", [])]
    assert reason(slit, text_at(y=600)) == "clipped"  # nothing reads through a slit


def test_only_the_clipped_part_of_a_line_is_hidden():
    clip = [(b"re", [0, 0, 140, 842]), (b"W", []), (b"n", [])]
    line = "Visible at the start and then cut away beyond the cell edge"
    visible, hidden, reasons = draw(clip, text_at(text=line, size=10))
    assert len(visible) == 1 and line.startswith(visible[0]) and len(visible[0]) > 15
    assert hidden and reasons == ["clipped"] and line.endswith(hidden[0])


def test_text_off_the_page_is_hidden_but_a_word_over_the_edge_keeps_its_letters():
    assert reason(text_at(x=-400)) == "outside the page"
    assert reason(text_at(x=600)) == "outside the page"
    assert reason(text_at(y=900)) == "outside the page"
    assert reason(text_at(y=-20)) == "outside the page"
    assert reason(text_at(x=-4, y=5)) is None  # partly on it
    # the last letter of a 16 pt heading just past the edge of the page still counts
    visible, hidden, _ = draw(text_at(x=540, size=16, text="Contents"))
    assert visible == ["Contents"] and hidden == []


def test_tiny_and_squeezed_type_is_hidden_footnote_sizes_are_not():
    assert reason(text_at(size=1.2)) == "tiny type"
    assert reason(text_at(size=0.5)) == "tiny type"
    assert reason(text_at(size=5)) is None and reason(text_at(size=6)) is None
    assert reason(text_at(pre=[(b"Tz", [1])])) == "tiny type"
    squeezed = [
        (b"BT", []),
        (b"Tf", ["/F1", 12]),
        (b"Tm", [0.01, 0, 0, 1, 72, 700]),
        (b"Tj", [WORDS]),
        (b"ET", []),
    ]
    assert reason(squeezed) == "tiny type"
    assert reason([(b"cm", [0.1, 0, 0, 0.1, 0, 0])], text_at(x=720, y=7000)) == "tiny type"
    assert reason([(b"cm", [0.5, 0, 0, 0.5, 0, 0])], text_at(x=144, y=1400)) is None  # 6 pt


def test_text_in_a_layer_that_is_off_is_hidden():
    layer = {"/Type": "/OCG", "/Name": "Notes"}
    resources = {**RESOURCES, "/Properties": {"/L0": layer}}
    marked = [(b"BDC", ["/OC", "/L0"]), *text_at(), (b"EMC", [])]
    assert reason(marked, resources=resources, layers_off=frozenset({id(layer)})) == (
        "hidden layer"
    )
    assert reason(marked, resources=resources) is None
    after = [(b"BDC", ["/OC", "/L0"]), (b"EMC", []), *text_at()]
    assert reason(after, resources=resources, layers_off=frozenset({id(layer)})) is None


# -- form XObjects -------------------------------------------------------------------------------
def test_a_form_xobject_paints_in_its_own_space_and_leaves_the_state_as_it_found_it():
    form = {
        "/Subtype": "/Form",
        "/Matrix": [1, 0, 0, 1, 60, 690],
        "/BBox": [0, 0, 300, 30],
        "/Resources": {"/ColorSpace": {"/Navy": ["/ICCBased", {"/N": 3}]}},
    }
    resources = {**RESOURCES, "/XObject": {"/Fm0": form}}
    tracker = InkTracker((0, 0, 595, 842), resources)
    tracker.before(b"Do", ["/Fm0"])
    assert tracker.in_form
    for op, operands in [(b"cs", ["/Navy"]), (b"sc", [0.1, 0.2, 0.4]), *box(0, 0, 300, 30)]:
        tracker.before(op, operands)
        tracker.after(op)
    assert tracker.state.fill is not None and tracker.state.fill != BLACK
    tracker.after(b"Do")
    assert not tracker.in_form and tracker.state.fill == BLACK  # the form's colour is gone
    for op, operands in [(b"g", [1]), *text_at()]:  # white text on the navy header: shows
        tracker.before(op, operands)
        if op == b"Tj":
            tracker.text(WORDS, IDENTITY, IDENTITY, None, 12)
    fragments, hidden = tracker.finish()
    assert [f.text for f in fragments] == [WORDS] and hidden == []


def test_text_in_a_form_is_placed_through_its_matrix_and_clipped_by_its_box():
    form = {"/Subtype": "/Form", "/Matrix": [1, 0, 0, 1, 0, 0], "/BBox": [0, 0, 50, 50]}
    resources = {**RESOURCES, "/XObject": {"/Fm0": form}}
    tracker = InkTracker((0, 0, 595, 842), resources)
    tracker.before(b"Do", ["/Fm0"])
    for op, operands in text_at():
        tracker.before(op, operands)
        if op == b"Tj":
            tracker.text(WORDS, IDENTITY, (1, 0, 0, 1, 72, 700), None, 12)
    tracker.after(b"Do")
    assert tracker.finish() == ([], [WORDS]) and tracker.hidden_reasons == ["clipped"]


def test_Q_inside_a_form_cannot_restore_what_was_saved_outside_it():
    form = {"/Subtype": "/Form"}
    resources = {**RESOURCES, "/XObject": {"/Fm0": form}}
    ops = [(b"q", []), (b"g", [1]), (b"Do", ["/Fm0"]), (b"Q", []), (b"Q", [])]
    tracker = InkTracker((0, 0, 595, 842), resources)
    for op, operands in ops:
        tracker.before(op, operands)
    assert tracker.state.fill == WHITE  # still inside the form: the outer q is out of reach
    tracker.after(b"Do")
    tracker.before(b"Q", [])
    assert tracker.state.fill == BLACK


# -- runs ----------------------------------------------------------------------------------------
def test_runs_are_matched_to_the_operators_that_drew_them():
    tracker = InkTracker((0, 0, 595, 842), RESOURCES)
    ops = [
        (b"BT", []),
        (b"Tf", ["/F1", 12]),
        (b"Td", [72, 700]),
        (b"Tj", ["Visible words start this run,"]),
        (b"rg", [1, 1, 1]),
        (b"Tj", [" then hidden words."]),
        (b"ET", []),
    ]
    for op, operands in ops:
        tracker.before(op, operands)
    # pypdf reports both operators as one run, with a space of its own before the second
    tracker.text("Visible words start this run,  then hidden words.", IDENTITY, IDENTITY, None, 12)
    fragments, hidden = tracker.finish()
    assert [f.text.strip() for f in fragments] == ["Visible words start this run,"]
    assert hidden == ["then hidden words."]


def test_a_run_that_matches_nothing_shown_is_judged_by_everything_pending():
    tracker = InkTracker((0, 0, 595, 842), RESOURCES)
    for op, operands in [
        (b"BT", []),
        (b"Tf", ["/F1", 12]),
        (b"Td", [72, 700]),
        (b"Tj", ["abc"]),
        (b"rg", [1, 1, 1]),
        (b"Tj", ["def"]),
        (b"ET", []),
    ]:
        tracker.before(op, operands)
    tracker.text("fed cba", IDENTITY, IDENTITY, None, 12)  # reordered (right to left)
    assert tracker.finish() == ([], ["fed cba"])
    assert tracker.unmatched_runs == 1


# -- scans with an OCR text layer ----------------------------------------------------------------
PAGE_IMAGE = [(b"q", []), (b"cm", [595, 0, 0, 842, 0, 0]), (b"Do", ["/Im0"]), (b"Q", [])]
SMALL_IMAGE = [(b"q", []), (b"cm", [300, 0, 0, 30, 60, 690]), (b"Do", ["/Im0"]), (b"Q", [])]
INVISIBLE = [(b"Tr", [3])]


def ocr_draw(*parts):
    tracker = InkTracker((0.0, 0.0, 595.0, 842.0), RESOURCES)
    for part in parts:
        for op, operands in part:
            tracker.before(op, operands)
            if op == b"Tj":
                tracker.text(operands[0], IDENTITY, IDENTITY, None, 12)
            tracker.after(op)
    fragments, hidden = tracker.finish()
    return [f.text for f in fragments], hidden, tracker


def test_invisible_text_over_a_page_sized_image_is_the_scans_ocr_layer():
    visible, hidden, tracker = ocr_draw(PAGE_IMAGE, text_at(pre=INVISIBLE))
    assert visible == [WORDS] and hidden == [] and tracker.ocr_layer
    # some scanners write the text first and the image over it
    visible, hidden, tracker = ocr_draw(text_at(pre=INVISIBLE), PAGE_IMAGE)
    assert visible == [WORDS] and tracker.ocr_layer


def test_invisible_text_without_the_scan_signature_stays_hidden():
    # over a small image (a logo): hidden
    visible, hidden, tracker = ocr_draw(SMALL_IMAGE, text_at(pre=INVISIBLE))
    assert visible == [] and hidden == [WORDS] and not tracker.ocr_layer
    assert tracker.hidden_reasons == ["invisible render mode"]
    # over a page-sized image, on a page that also shows ordinary text: a background, no scan
    shown = "An ordinary visible paragraph opens the page for the reader to see, as pages do."
    visible, hidden, tracker = ocr_draw(
        PAGE_IMAGE, text_at(y=760, text=shown), text_at(pre=INVISIBLE)
    )
    assert visible == [shown] and hidden == [WORDS] and not tracker.ocr_layer
    # clip-mode invisible text (7 Tr) is no OCR layer; OCR text off the page stays off it
    assert ocr_draw(PAGE_IMAGE, text_at(pre=[(b"Tr", [7])]))[1] == [WORDS]
    visible, hidden, tracker = ocr_draw(PAGE_IMAGE, text_at(x=700, pre=INVISIBLE))
    assert hidden == [WORDS] and tracker.hidden_reasons == ["outside the page"]


def test_a_short_visible_stamp_on_a_scan_still_lets_its_ocr_layer_be_read():
    line = "Recognised text of a scanned page, long enough to be a line of a report."
    ocr = [text_at(y=700 - 12 * i, size=8, text=line, pre=INVISIBLE) for i in range(8)]
    stamp = text_at(y=20, size=8, text="Digitised by the county archive")
    visible, hidden, tracker = ocr_draw(PAGE_IMAGE, stamp, *ocr)
    assert hidden == [] and tracker.ocr_layer and visible.count(line) == 8
    # the same stamp beside one line of invisible text is more than a stamp: hidden
    visible, hidden, tracker = ocr_draw(PAGE_IMAGE, stamp, ocr[0])
    assert hidden == [line] and not tracker.ocr_layer


# -- page boxes, widths, redraws -----------------------------------------------------------------
def test_page_boxes_are_sorted_and_fall_back_when_empty():
    from ingest.ink import page_box

    assert page_box([0, 0, 612, 792], [0, 792, 612, 0]) == (0.0, 0.0, 612.0, 792.0)
    assert page_box([0, 0, 800, 600], [0, 0, 0, 0]) == (0.0, 0.0, 800.0, 600.0)
    assert page_box([0, 0, 600, 800], [600, 800, 1000, 1000]) == (0.0, 0.0, 600.0, 800.0)
    assert page_box([0, 0, 612, 792], [36, 36, 576, 756]) == (36.0, 36.0, 576.0, 756.0)
    assert page_box([0, 0, 0, 0]) is None and page_box(None, ["x", 1, 2, 3]) is None


def test_a_fragment_knows_how_far_its_glyphs_reach():
    tracker = InkTracker((0.0, 0.0, 595.0, 842.0), RESOURCES)
    for op, operands in text_at():
        tracker.before(op, operands)
        if op == b"Tj":
            tracker.text(operands[0], IDENTITY, (1, 0, 0, 1, 72, 700), None, 12)
    (fragment,), _ = tracker.finish()
    # an unknown font is estimated at half an em a glyph and a quarter a space, at 12 pt
    assert fragment.x == 72 and abs(fragment.width - (15 * 6 + 3 * 3)) < 1e-6


def test_a_hidden_copy_of_text_shown_at_the_same_place_is_a_redraw_not_hidden_text():
    white = [(b"g", [1])]
    visible, hidden, _ = draw(text_at(), white, text_at())
    assert visible == [WORDS] and hidden == []
    # different words there, or the same words elsewhere, are still hidden
    assert draw(text_at(), white, text_at(text="Other words"))[1] == ["Other words"]
    assert draw(text_at(), white, text_at(y=300))[1] == [WORDS]
