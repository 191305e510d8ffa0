"""The portal's template filters: `{% load portal %}`, then `{{ moment|when }}`, `{{ count|number }}` and
`{{ proposal.title|beside:proposal.title_native }}`, and `{{ call.local_title|lang_attr }}` inside a tag.
Plain text comes out, escaped like any other variable. `{% deadline moment zone %}` writes a deadline."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal import formatting

register = template.Library()


@register.filter
def when(moment, zone=None):
    """`{{ moment|when }}` in the reader's zone, `{{ moment|when:call.time_zone }}` in another; the zone named."""
    return formatting.when(moment, zone)


@register.simple_tag(takes_context=True)
def deadline(context, moment, zone, countdown=False):
    """`{% deadline moment zone %}`: proposals/_deadline.html for this moment in that zone, followed, with
    `countdown=True`, by a line break and proposals/_countdown.html; each written once for a whole page, whose rows
    share a few deadlines."""
    written = context.render_context.setdefault("portal.deadline", {})
    key = (moment, str(zone), countdown)
    if key not in written:
        engine = context.template.engine
        with context.push(moment=moment, zone=zone):
            html = engine.get_template("proposals/_deadline.html").render(context)
            if countdown:
                html += mark_safe("<br>") + engine.get_template("proposals/_countdown.html").render(context)
        written[key] = html
    return written[key]


@register.filter
def number(value, decimal_places=None):
    """`{{ total|number }}`, or `{{ score|number:2 }}` with that many decimal places."""
    return formatting.number(value, decimal_places)


@register.filter
def beside(name, native):
    return formatting.beside(name, native)


@register.filter
def lang_attr(text):
    """` lang="en"` for text shown in English because the reader's language has none (portal.i18n.InLanguage)."""
    lang = getattr(text, "lang", "")
    return format_html(' lang="{}"', lang) if lang else ""


@register.simple_tag
def required_legend(field):
    """What "*" means, said once: above the first field of a form that must be filled in. The forms of a formset
    (those with a prefix) sit on a page whose main form says it already."""
    form = field.form
    if not field.field.required or form.prefix or getattr(form, "_required_legend_shown", False):
        return ""
    form._required_legend_shown = True
    return format_html('<p class="required-legend">{}</p>', _("Fields marked * are required."))


@register.simple_tag
def marked_label(field):
    """The field's label (a legend for a group of choices) with what it asks of the person: "*" when the server
    refuses the form without it, "needed to submit" when only submitting does (the fields a form names in
    `needed_to_submit`, such as a proposal's, which a draft may leave empty)."""
    mark = ""
    if field.field.required:
        mark = mark_safe(' <span class="required" aria-hidden="true">*</span>')  # noqa: S308 - constant markup
    elif field.name in getattr(field.form, "needed_to_submit", ()):
        mark = format_html(' <span class="needed">{}</span>', _("(needed to submit)"))
    contents = conditional_escape(field.label)
    suffix = field.form.label_suffix if field.field.label_suffix is None else field.field.label_suffix
    if suffix and contents and contents[-1] not in _(":?.!"):
        contents = format_html("{}{}", contents, suffix)
    contents = format_html("{}{}", contents, mark)
    tag = field.legend_tag if field.use_fieldset else field.label_tag
    return tag(contents, label_suffix="")
