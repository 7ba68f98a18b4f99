"""Faster versions of a few WeasyPrint internals that run once per box or per text, each
giving the same PDF, byte for byte (tests/test_pdf_speed.py renders the demo with and without
them and compares). Applied by `apply()` when the installed WeasyPrint is the version they were
written against (the lock file pins it); with any other version WeasyPrint runs as shipped.

Where a demo render's CPU went before them (sampling profiler, inclusive): every text is
shaped by Pango twice, once to lay it out and again to paint it, because the layout drops its
Pango objects in between (≈10 %); each of those ≈6,700 Pango layouts creates its own Pango
context and font description (≈7 %); `resolve_percentages` reads ≈30 style values a box
through three function calls each (≈9 %); `is_in_normal_flow` reads five style values a call,
33,000 calls (≈5 %).
"""

from __future__ import annotations

import sys
from math import inf
from typing import Any

import weasyprint
from weasyprint.draw import color
from weasyprint.formatting_structure import boxes
from weasyprint.layout import percent
from weasyprint.text import line_break
from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, gobject, pango, unicode_to_char_p
from weasyprint.text.fonts import font_features, get_font_description

WEASYPRINT_VERSION = "70.0"

# Characters Pango may treat as a paragraph or line separator: a text with none of them lays
# out the same in single-paragraph mode, which is the mode painting sets.
_SEPARATORS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

_original_create_layout = line_break.create_layout
_original_set_text = line_break.Layout.set_text


def create_layout(text, style, context, max_width, justification_spacing):
    """WeasyPrint's `create_layout`, in single-paragraph mode when the text has no separator:
    painting switches the layout to that mode, and a change of mode makes Pango shape the
    text again."""
    layout = _original_create_layout(text, style, context, max_width, justification_spacing)
    if _SEPARATORS.isdisjoint(text):
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    return layout


def deactivate(self) -> None:
    """Keep the Pango layout, already shaped, for painting (WeasyPrint drops it to save
    memory and builds and shapes it again to paint the text, and again for each copy of the
    text box: a leader's dots are one box copied ≈150 times a line)."""
    self.kept = True


def set_text(self, text, justify=False) -> None:
    """`Layout.set_text`; a layout whose text changes after its layout is built afresh to
    paint, as WeasyPrint does."""
    self.kept = False
    _original_set_text(self, text, justify)


def reactivate(self, style) -> None:
    """Paint with the kept layout when it holds what WeasyPrint would rebuild: the same style
    and text, and no justification spacing (set_text(justify=True) adds it); else rebuild as
    shipped. Painting changes a layout only for `text-overflow: ellipsis` (width and
    ellipsizing, set again on each paint) and `block-ellipsis` (through set_text)."""
    if getattr(self, "kept", False) and style is self.style and not self.justification_spacing:
        return
    self.setup(style)
    self.set_text(self.text, justify=True)


def _language(style) -> tuple[Any, bool]:
    """The Pango language of the style and whether to set it on the context, as WeasyPrint's
    `Layout.setup` chooses it."""
    if style["font_language_override"] != "normal":
        lang_p, _ = unicode_to_char_p(
            LST_TO_ISO.get(style["font_language_override"].lower(), style["font_language_override"])
        )
    elif style["lang"]:
        lang_p, _ = unicode_to_char_p(style["lang"])
    else:
        return pango.pango_language_get_default(), False
    return pango.pango_language_from_string(lang_p), True


def setup(self, style) -> None:
    """WeasyPrint's `Layout.setup` with the Pango context and the font description shared by
    the layouts of one font configuration (one render) that would create equal ones. Pango
    copies a font description into the layout, and nothing changes a context once made."""
    self.style = style
    self.first_line_direction = 0
    font_config = style.font_config
    caches = font_config.__dict__.setdefault("_planner_layout_caches", ({}, {}))
    contexts, descriptions = caches
    context_key = (style["direction"], style["font_language_override"], style["lang"])
    entry = contexts.get(context_key)
    if entry is None:
        pango_context = ffi.gc(
            pango.pango_font_map_create_context(font_config.font_map), gobject.g_object_unref
        )
        pango.pango_context_set_round_glyph_positions(pango_context, False)
        pango.pango_context_set_base_dir(pango_context, PANGO_DIRECTION[style["direction"]])
        language, set_language = _language(style)
        if set_language:
            pango.pango_context_set_language(pango_context, language)
        entry = contexts[context_key] = (pango_context, language)
    pango_context, self.language = entry

    variations = style["font_variation_settings"]
    description_key = (
        tuple(style["font_family"]),
        style["font_style"],
        style["font_stretch"],
        style["font_weight"],
        int(style["font_size"] * TO_UNITS),
        style["font_variant_caps"],
        variations if variations == "normal" else tuple(map(tuple, variations)),
    )
    font_description = descriptions.get(description_key)
    if font_description is None:
        font_description = descriptions[description_key] = get_font_description(style)
    self.layout = ffi.gc(pango.pango_layout_new(pango_context), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, font_description)

    if style["text_decoration_line"] != "none":
        metrics = ffi.gc(
            pango.pango_context_get_metrics(pango_context, font_description, self.language),
            pango.pango_font_metrics_unref,
        )
        self.ascent = FROM_UNITS * pango.pango_font_metrics_get_ascent(metrics)
        self.underline_position = FROM_UNITS * (
            pango.pango_font_metrics_get_underline_position(metrics)
        )
        self.strikethrough_position = FROM_UNITS * (
            pango.pango_font_metrics_get_strikethrough_position(metrics)
        )
        self.underline_thickness = FROM_UNITS * (
            pango.pango_font_metrics_get_underline_thickness(metrics)
        )
        self.strikethrough_thickness = FROM_UNITS * (
            pango.pango_font_metrics_get_strikethrough_thickness(metrics)
        )
    else:
        self.ascent = None
        self.underline_position = None
        self.strikethrough_position = None

    features = font_features(
        style["font_kerning"],
        style["font_variant_ligatures"],
        style["font_variant_position"],
        style["font_variant_caps"],
        style["font_variant_numeric"],
        style["font_variant_alternates"],
        style["font_variant_east_asian"],
        style["font_feature_settings"],
    )
    if features:
        encoded = ",".join(f"{key} {value}" for key, value in features.items()).encode()
        attr = font_config.font_features.setdefault(
            encoded, pango.pango_attr_font_features_new(encoded)
        )
        attr_list = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attr_list, attr)
        pango.pango_layout_set_attributes(self.layout, attr_list)


_original_is_in_normal_flow = boxes.Box.is_in_normal_flow


def is_in_normal_flow(self) -> bool:
    """`Box.is_in_normal_flow`: not floated, absolutely positioned, running, a footnote or a
    note — each style value read once."""
    if "is_floated" in self.__dict__:  # a flex item (WeasyPrint sets is_floated on it)
        return _original_is_in_normal_flow(self)
    style = self.style
    if style["float"] in ("left", "right", "inline-start", "inline-end", "footnote"):
        return False
    position = style["position"]
    return position not in ("absolute", "fixed") and position[0] not in (
        "running()",
        "note()",
    )


_percentage = percent.percentage
_check_math = percent.check_math
_adjust_box_sizing = percent.adjust_box_sizing
_PAGE_BOX = boxes.PageBox
_BOX = boxes.Box
_BORDERS = (
    "border_top_width",
    "border_right_width",
    "border_bottom_width",
    "border_left_width",
)


def _used(value, style, refer_to):
    """`percentage` with its two common cases first: a length in px and a percentage."""
    if value is None or value == "auto":
        return value
    unit = getattr(value, "unit", None)
    if unit == "px":
        return value.value
    if unit == "%":
        return refer_to * value.value / 100
    return _percentage(value, style, refer_to)


def resolve_percentages(box, containing_block) -> None:
    """`resolve_percentages`, the same used values set in the same order, without a function
    call and an attribute lookup by name for each property."""
    if isinstance(containing_block, _BOX):
        cb_width = containing_block.width
        cb_height = containing_block.height
    else:
        cb_width, cb_height = containing_block
    maybe_height = cb_height if isinstance(box, _PAGE_BOX) else cb_width
    style = box.style
    box.margin_left = _used(style["margin_left"], style, cb_width)
    box.margin_right = _used(style["margin_right"], style, cb_width)
    box.margin_top = _used(style["margin_top"], style, maybe_height)
    box.margin_bottom = _used(style["margin_bottom"], style, maybe_height)
    box.padding_left = _used(style["padding_left"], style, cb_width)
    box.padding_right = _used(style["padding_right"], style, cb_width)
    box.padding_top = _used(style["padding_top"], style, maybe_height)
    box.padding_bottom = _used(style["padding_bottom"], style, maybe_height)
    box.width = _used(style["width"], style, cb_width)
    min_width = _used(style["min_width"], style, cb_width)
    box.min_width = 0 if min_width == "auto" else min_width
    box.max_width = _used(style["max_width"], style, cb_width)

    if cb_height == "auto":
        height = style["height"]
        if height == "auto" or _check_math(height) or height.unit == "%":
            box.height = "auto"
        else:  # a length in px: the computed values have no other unit
            box.height = height.value
        min_height = _used(style["min_height"], style, 0)
        box.min_height = 0 if min_height == "auto" else min_height
        box.max_height = _used(style["max_height"], style, inf)
    else:
        box.height = _used(style["height"], style, cb_height)
        min_height = _used(style["min_height"], style, cb_height)
        box.min_height = 0 if min_height == "auto" else min_height
        box.max_height = _used(style["max_height"], style, cb_height)

    if style["border_collapse"] == "collapse":
        for name in _BORDERS:  # set by the border conflict resolution, if at all
            if not hasattr(box, name):
                setattr(box, name, style[name])
    else:
        box.border_top_width = style["border_top_width"]
        box.border_right_width = style["border_right_width"]
        box.border_bottom_width = style["border_bottom_width"]
        box.border_left_width = style["border_left_width"]

    _adjust_box_sizing(box, "width")
    _adjust_box_sizing(box, "height")


_original_strut = line_break.strut


def strut(style) -> tuple[float, float]:
    """`strut` (a style's line height and baseline) kept on the style: WeasyPrint caches it
    by a text key it formats from 16 style values on every call, once per line and text box;
    a computed style does not change once read."""
    cached = style.__dict__.get("planner_strut")
    if cached is None:
        cached = style.__dict__["planner_strut"] = _original_strut(style)
    return cached


def _flows(child) -> bool:
    return child.is_in_normal_flow() or child.is_floated()


def page_values(self) -> tuple[Any, Any]:
    """`ParentBox.page_values` (the named page a box starts and ends on, from its first and
    last in-flow or floated child) finding those two children from each end, not by testing
    every child: block layout asks each child of a container, so a long container's children
    were all tested once per child."""
    page = self.style["page"]
    start_value = end_value = page
    children = self.children
    first = next((child for child in children if _flows(child)), None)
    if first is None:
        return start_value, end_value
    last = next(child for child in reversed(children) if _flows(child))
    if first is last:
        values = first.page_values()
        return values[0] or start_value, values[1] or end_value
    return first.page_values()[0] or start_value, last.page_values()[1] or end_value


_original_get_color = color.get_color


def get_color(style, key):
    """`get_color` with the string test first: comparing a parsed color with "currentcolor"
    goes through tinycss2's Python `Color.__eq__` (False for any string) on every box."""
    value = style[key]
    if isinstance(value, str) and value == "currentcolor":
        return style["color"]
    return value


_applied = False


def apply() -> bool:
    """Install the faster versions (once); False when WeasyPrint is not the version they were
    written against."""
    global _applied
    if _applied:
        return True
    if weasyprint.__version__ != WEASYPRINT_VERSION:
        return False
    line_break.create_layout = create_layout
    line_break.Layout.setup = setup
    line_break.Layout.deactivate = deactivate
    line_break.Layout.set_text = set_text
    line_break.Layout.reactivate = reactivate
    boxes.Box.is_in_normal_flow = is_in_normal_flow
    boxes.ParentBox.page_values = page_values
    _rebind(percent.resolve_percentages, resolve_percentages)
    _rebind(_original_strut, strut)
    _rebind(_original_get_color, get_color)
    _applied = True
    return True


def _rebind(original, function) -> None:
    """Point every WeasyPrint module's name for `original` (its own and those that imported
    it) at `function`."""
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("weasyprint"):
            for name, value in list(vars(module).items()):
                if value is original:
                    setattr(module, name, function)
