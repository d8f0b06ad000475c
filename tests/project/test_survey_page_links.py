"""What the survey pages show of the latest map (``survey_page.link_question``,
``touchpoint_choices``): the touchpoint's name in the page's language, its id in words when the
map no longer has it."""

from __future__ import annotations

from parcours.project.survey_page import link_question, touchpoint_choices
from parcours.store import maps, surveys
from tests.store.conftest import alice, backend, empty_url, project, store  # noqa: F401 - fixtures reused

MAP = ("name: Shop\nstages:\n  - {id: buy, name: Buy}\ntouchpoints:\n"
       "  - {id: checkout, stage: buy, name: {fr: Paiement, en: Checkout}}\n  - {id: home_delivery, stage: buy}\n")


def test_the_question_names_the_touchpoint_of_the_latest_map(store, project, alice):
    link = surveys.create_link(store, project.id, "checkout", "csat", "fr", alice.id)
    assert link_question(store, link, "en")["question"] == "How satisfied are you with “checkout”?"  # no map yet
    maps.save_map(store, project.id, MAP, alice.id, base=None)
    en, fr = link_question(store, link, "en"), link_question(store, link, "fr")
    assert (en["question"], en["scale"], en["low_text"]) == ("How satisfied are you with “Checkout”?", [1, 2, 3, 4, 5],
                                                             "Very dissatisfied")
    assert fr["question"] == "Êtes-vous satisfait de «\u00a0Paiement\u00a0»\u202f?"


def test_touchpoint_choices(store, project, alice):
    assert touchpoint_choices(None, "en") == []
    maps.save_map(store, project.id, MAP, alice.id, base=None)
    m = maps.latest_map(store, project.id)
    assert touchpoint_choices(m, "en") == [("checkout", "Checkout"), ("home_delivery", "home_delivery")]
    assert touchpoint_choices(m, "fr")[0] == ("checkout", "Paiement")
