"""The few pieces of HTML that pages repeat tens of times: a link to a resource, the table that scrolls sideways,
the "all data" table and the line of other formats, as template helpers written in Python.

As Jinja macros each link cost a macro call, a ``{% call %}`` block made into a second macro and their calls
through the template's context (a third of a page's rendering); here it is one call. Templates still call
them as they called the macros (``{% call link(links, view) %}…{% endcall %}``, ``{{ resource_link(links, v) }}``)
and the page is the same, byte for byte. Every value is escaped (markupsafe); every href comes from
:meth:`PageLinks.resource` or :meth:`PageLinks.page` (a relative path or an http(s) IRI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import Environment
from jinja2.filters import do_urlencode
from markupsafe import Markup, escape

from piao_lod.messages import N_, gettext
from piao_lod.namespaces import compact
from piao_lod.website.resource_index import ResourceView
from piao_lod.website.reused_terms import term_label

FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}


@dataclass(frozen=True)
class Cell:
    """A value as a table cell: its text, the link it leads to, its language."""

    text: str
    href: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class PropertyRow:
    iri: str
    curie: str
    label: str
    cells: list[Cell]


def property_rows(view: ResourceView, links, lang: str) -> list[PropertyRow]:
    """Every property of a resource with its values, for the "all data" table of each page."""
    rows = []
    for predicate, values in view.properties:
        cells = [resource_cell(value, links, lang) if isinstance(value, ResourceView)
                 else Cell(value.text, None, value.language) for value in values]
        rows.append(PropertyRow(predicate, compact(predicate), term_label(view.index.view(predicate), lang), cells))
    return rows


def resource_cell(view: ResourceView, links, lang: str) -> Cell:
    """A linked resource by its label; one that cannot be a link, by its whole IRI when it has no label."""
    href = links.resource(view)
    return Cell(term_label(view, lang) if href or view.described else view.iri, href)


def link_markup(href: str | None, content: str, class_: str | None = None) -> Markup:
    """``<a href>`` around ``content`` (markup), or a ``<span>`` when there is no link."""
    attribute = f' class="{escape(class_)}"' if class_ else ""
    if href:
        return Markup(f'<a href="{escape(href)}"{attribute}>{content}</a>')
    return Markup(f"<span{attribute}>{content}</span>")


def link(links, target, class_: str | None = None, caller: Callable[[], str] | None = None) -> Markup:
    """``{% call link(links, target) %}text{% endcall %}``: a link to a resource, or its text alone when it cannot
    be a link (see :meth:`PageLinks.resource`)."""
    return link_markup(links.resource(target), escape(caller()), class_)


def page_fragments(lang: str) -> dict[str, Callable]:
    """The helpers of the edition of ``lang``, for the environment's globals."""
    def text(message: str) -> Markup:
        return escape(gettext(lang, message))

    swipe = text(N_("Swipe the table sideways to see every column."))
    data_heading = text(N_("All data of this resource"))
    data_caption = gettext(lang, "Every property of this resource and its values, as in its RDF")
    property_heading, value_heading = text(N_("Property")), text(N_("Value"))
    data_head = (f'<thead><tr><th scope="col">{property_heading}</th><th scope="col">{value_heading}</th>'
                 f"</tr></thead>\n<tbody>\n")
    describe = text(N_("Open in the SPARQL form (DESCRIBE this resource)"))
    other_formats = text(N_("This resource in other formats"))

    def resource_link(links, view) -> Markup:
        return link_markup(links.resource(view), escape(term_label(view, lang)))

    def coded_link(links, view) -> Markup:
        """An objective or an indicator by its code and title."""
        code = view.value("dcterms:identifier")
        title = escape(view.label(lang))
        return link_markup(links.resource(view), f"{escape(code)} – {title}" if code is not None else title)

    def scrolling(caption: str, class_: str, table: str) -> Markup:
        caption = escape(caption)
        return Markup(f'<p class="scroll-hint d-md-none small" aria-hidden="true">{swipe}</p>\n'
                      f'<div class="table-responsive" tabindex="0" role="region" aria-label="{caption}">\n'
                      f'<table class="{escape(class_)}">\n<caption>{caption}</caption>\n{table}\n'
                      f"</table>\n</div>\n")

    def scroll_table(caption: str, class_: str = "table", caller: Callable[[], str] | None = None) -> Markup:
        """A table that scrolls sideways on a narrow screen, keyboard-reachable, with a hint on phones."""
        return scrolling(caption, class_, escape(caller()))

    def property_table(links, r) -> Markup:
        """Every property of the resource with its values (:func:`property_rows`), as in its RDF."""
        body = [data_head]
        for row in property_rows(r, links, lang):
            body.append(f'<tr>\n  <th scope="row"><span title="{escape(row.iri)}">{escape(row.label)}</span><br>'
                        f'<code class="small">{escape(row.curie)}</code></th>\n  <td>')
            for cell in row.cells:
                if cell.href:
                    shown = f'<a href="{escape(cell.href)}">{escape(cell.text)}</a>'
                elif cell.language:
                    shown = f'<span lang="{escape(cell.language)}">{escape(cell.text)}</span>'
                else:
                    shown = escape(cell.text)
                body.append(f'<div class="text-break">{shown}</div>')
            body.append("</td>\n</tr>\n")
        body.append("</tbody>\n")
        table = scrolling(data_caption, "table table-sm", "".join(body))
        return Markup(f'<section class="mt-5" aria-labelledby="tutti-i-dati" data-pagefind-ignore>\n'
                      f'<h2 id="tutti-i-dati" class="h4">{data_heading}</h2>\n'
                      f'<p class="small">IRI: <code class="text-break">{escape(r.iri)}</code></p>\n'
                      f"{table}</section>\n")

    def formats(alternates, links=None, r=None) -> Markup:
        """The RDF files beside the page, and the resource's DESCRIBE in the SPARQL form."""
        parts = []
        if links and r:
            query = escape(do_urlencode(f"DESCRIBE <{r.iri}>"))
            parts.append(f'<p class="small mt-4"><a href="{escape(links.page("sparql/"))}?query={query}">'
                         f"{describe}</a></p>")
        parts.append(f'<p class="small mt-2">{other_formats}:\n')
        parts.append(" · ".join(f'<a href="{escape(href)}" type="{escape(media_type)}">'
                                f"{escape(FORMAT_NAMES[suffix])}</a>" for href, media_type, suffix in alternates))
        parts.append("</p>\n")
        return Markup("".join(parts))

    return {"link": link, "resource_link": resource_link, "coded_link": coded_link, "scroll_table": scroll_table,
            "property_table": property_table, "formats": formats}


class FolderLinks:
    """The links a shared part of a page may make: files and pages of the edition, which depend only on how deep
    the page's folder is and on its edition (:meth:`PageLinks.to`, :meth:`PageLinks.page`)."""

    def __init__(self, links):
        self.to, self.page = links.to, links.page


def shared_parts(environment: Environment) -> Callable[..., Markup]:
    """``shared_part(name, links, **values)``: the template ``name`` (the site's menu, its footer) rendered once for
    each folder depth, edition and ``values``, not once per page; the same text every page would render."""
    rendered: dict[tuple, Markup] = {}

    def shared_part(name: str, links, **values) -> Markup:
        template = environment.get_template(name)
        key = (template, links.up, links.edition, *sorted(values.items()))
        found = rendered.get(key)
        if found is None:
            found = rendered[key] = Markup(template.render(links=FolderLinks(links), **values))
        return found

    return shared_part
