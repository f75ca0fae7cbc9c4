"""Templates' fixed sentences are translated at compile time and render as the run-time call did."""

from piao_lod.website.render import make_environment, template_gettext


def test_literal_message_renders_as_its_translation_escaped():
    gettext, _ = template_gettext("en")
    environment = make_environment("en")
    for message in ("Open data", "Skip to main content", 'Text <with> "markup" & more'):
        rendered = environment.from_string('{{ _("%s") }}' % message.replace('"', '\\"')).render()
        assert rendered == environment.from_string("{{ gettext(m) }}").render(m=message)
        assert "<with>" not in rendered


def test_messages_with_placeholders_and_attributes_stay_calls():
    environment = make_environment("it")
    assert environment.from_string('{{ _("{label} ({details})", label="<b>", details="x") }}').render() == "&lt;b&gt; (x)"

    class Holder:
        def _(self, text):
            return text.upper()
    assert environment.from_string('{{ h._("Open data") }}').render(h=Holder()) == "OPEN DATA"


def test_compiled_sentence_is_in_the_language_of_its_environment():
    italian = make_environment("it").from_string('{{ _("Open data") }}').render()
    english = make_environment("en").from_string('{{ _("Open data") }}').render()
    assert english == "Open data" and italian != english
