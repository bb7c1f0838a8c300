"""Widgets drawn with Jinja2 (`WidgetRenderer`) read as Django's template language draws
them, errors and escaping included; a widget template only that language has (the admin's)
is still found."""

from __future__ import annotations

import re

from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import SimpleTestCase

from xeploai.core.widgets import WidgetRenderer

HOSTILE = '<script>alert("x")</script> & "Đảng"'


class EveryWidget(forms.Form):
    text = forms.CharField(label="Họ và tên", max_length=10, help_text="Viết có dấu <b>.")
    note = forms.CharField(widget=forms.Textarea, required=False)
    score = forms.DecimalField(max_digits=4, decimal_places=1)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    level = forms.ChoiceField(choices=[("1", "Xuất sắc"), ("2", "Tốt")])
    vote = forms.ChoiceField(choices=[("1", "Có"), ("2", "Không")], widget=forms.RadioSelect)
    signs = forms.MultipleChoiceField(
        choices=[("a", "Biểu hiện 1"), ("b", "Biểu hiện 2")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    agree = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(required=False)


def drawn(form: forms.Form) -> str:
    """The form's HTML, spaces aside and quotes escaped one way (both ways read the same)."""
    html = str(form.as_div()).replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


class WidgetRendererTestCase(SimpleTestCase):
    def test_it_draws_what_the_template_language_draws(self) -> None:
        data = {"text": HOSTILE, "score": "9,55", "level": "3", "signs": ["a"], "version": "x"}
        for bound in ({}, data):
            with self.subTest(bound=bool(bound)):
                ours = EveryWidget(bound or None, renderer=WidgetRenderer())
                theirs = EveryWidget(bound or None, renderer=DjangoTemplates())
                self.assertEqual(drawn(ours), drawn(theirs))
        self.assertNotIn("<script>", drawn(EveryWidget(data, renderer=WidgetRenderer())))

    def test_a_template_only_the_template_language_has_is_found(self) -> None:
        template = WidgetRenderer().get_template("admin/widgets/related_widget_wrapper.html")
        self.assertIn("related-widget-wrapper", template.template.source)
