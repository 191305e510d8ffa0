"""Text affinity: reviewers' own writing against proposals, in English, Chinese and Russian, stored per pair."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from portal.errors import DomainError
from proposals import calls, services
from proposals.models import Affinity, Call, ReviewerPublication
from proposals.review import affinity, publications
from tests.factories import ReviewerProfileFactory
from tests.proposals.matching_corpus import CORPUS, LANGUAGES, TOPICS
from tests.proposals.review_support import submitted_proposal, text


def labelled_set(call):
    """24 proposals and 24 reviewers: each topic in each language, the reviewer known by their own writing."""
    proposals, reviewers = {}, {}
    for topic in TOPICS:
        for language in LANGUAGES:
            keywords, writing, title, abstract = CORPUS[topic][language]
            profile = ReviewerProfileFactory(keywords=keywords, user__full_name=f"{topic} {language}")
            ReviewerPublication.objects.create(profile=profile, abstract=writing)
            reviewers[(topic, language)] = profile.user
            proposals[(topic, language)] = submitted_proposal(call, title=title, abstract=abstract)
    return proposals, reviewers


def test_the_right_topic_reviewer_is_in_the_top_three_for_nine_proposals_in_ten(review_call):
    proposals, reviewers = labelled_set(review_call)

    affinity.compute_call_affinity(call=review_call)

    found = 0
    for (topic, language), proposal in proposals.items():
        top_three = set(
            Affinity.objects.filter(proposal=proposal).order_by("rank")[:3].values_list("reviewer", flat=True)
        )
        found += reviewers[(topic, language)].pk in top_three
    assert found / len(proposals) >= 0.9
    seismic = Affinity.objects.get(proposal=proposals[("seismology", "ru")], reviewer=reviewers[("seismology", "ru")])
    assert seismic.rank == 1
    assert "лунотрясения" in seismic.terms, "shared terms are shown as written, not as stems"


@pytest.mark.parametrize(
    ("keyword", "text_"),
    [("ice", "A service module for the lander"), ("dust", "Industrial partners"), ("лёд", "следующий")],
)
def test_a_keyword_inside_another_word_never_scores(review_call, keyword, text_):
    proposal = submitted_proposal(review_call, title=text_, abstract=text_, science_objectives=text_)
    profile = ReviewerProfileFactory(keywords=keyword)

    affinity.compute_call_affinity(call=review_call)

    assert not Affinity.objects.filter(proposal=proposal, reviewer=profile.user).exists()


def test_a_keyword_matches_the_same_word_in_another_form(review_call):
    proposal = submitted_proposal(
        review_call, title="Mapping ices in polar craters", abstract="Polar cold traps.", science_objectives=""
    )
    profile = ReviewerProfileFactory(keywords="ice, crater")

    affinity.compute_call_affinity(call=review_call)

    pair = Affinity.objects.get(proposal=proposal, reviewer=profile.user)
    assert pair.score > 0.3
    assert set(pair.terms) >= {"ices", "craters"}


def test_chinese_is_segmented_with_the_dictionary_inside_the_package():
    import jieba

    assert {"月球", "地震", "监测"} <= set(affinity.stems("月球表面的地震监测"))
    assert affinity._segmenter().dictionary is None or affinity._segmenter().dictionary.startswith(jieba.__path__[0]), (
        "jieba's own dictionary, never a download"
    )


def test_closing_a_call_stores_the_affinity_of_its_proposals(
    call, proposal, django_capture_on_commit_callbacks, programme_admin
):
    services.submit_proposal(proposal=proposal, by=proposal.principal_investigator)
    profile = ReviewerProfileFactory(keywords="dust analyser")

    with django_capture_on_commit_callbacks(execute=True):
        calls.close_call(call=call, by=programme_admin)

    assert Affinity.objects.get(proposal=proposal, reviewer=profile.user).rank == 1


def test_new_writing_on_a_profile_recomputes_the_calls_in_matching(
    review_call, proposal, django_capture_on_commit_callbacks
):
    profile = ReviewerProfileFactory(keywords="")
    assert not Affinity.objects.filter(reviewer=profile.user).exists()

    with django_capture_on_commit_callbacks(execute=True):
        publications.add_publications(
            profile=profile,
            by=profile.user,
            entries=publications.parse_pasted("Regolith dust grains charge in sunlight.\n\nSecond abstract."),
            source="pasted",
        )

    assert profile.publications.count() == 2
    assert Affinity.objects.filter(proposal=proposal, reviewer=profile.user).exists()


def test_the_command_recomputes_one_call_and_refuses_an_unknown_one(review_call, proposal):
    ReviewerProfileFactory(keywords="regolith")
    out = io.StringIO()
    call_command("recompute_affinity", "--call", review_call.reference, stdout=out)
    assert "1 proposal–reviewer pairs" in out.getvalue()
    with pytest.raises(Exception, match="No call"):
        call_command("recompute_affinity", "--call", "nope")


BIBTEX = """@article{a1, title={Deep {Moonquakes} revisited}, abstract={Apollo seismometers recorded deep quakes.},
 year={2019}, doi={10.1000/xyz}}
@inproceedings{a2, title={Thermal quakes}, year={2021}}"""
RIS = "TY  - JOUR\nTI  - Regolith sintering\nAB  - Microwave sintering of simulant.\nPY  - 2020\nER  - \n"
CSV = "Title,Abstract,Year\nPlasma wake,Solar wind behind the Moon,2018\n"


@pytest.mark.parametrize(
    ("name", "content", "titles"),
    [
        ("pubs.bib", BIBTEX, ["Deep Moonquakes revisited", "Thermal quakes"]),
        ("pubs.ris", RIS, ["Regolith sintering"]),
        ("pubs.csv", CSV, ["Plasma wake"]),
    ],
)
def test_a_reviewer_uploads_their_publications(client, reviewer, name, content, titles):
    client.force_login(reviewer)
    upload = SimpleUploadedFile(name, content.encode())

    response = client.post(reverse("proposals:reviewer_publications"), {"action": "upload", "file": upload})

    assert response.status_code == 302
    profile = reviewer.reviewer_profile
    assert sorted(profile.publications.values_list("title", flat=True)) == sorted(titles)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pubs.pdf", b"%PDF", "Upload a BibTeX"),
        ("pubs.csv", b"name,value\nx,y\n", "header row"),
        ("pubs.bib", b"\xff\xfe\x00garbage", "not UTF-8"),
        ("pubs.bib", b"no entries at all", "Nothing to add"),
    ],
)
def test_a_bad_publication_file_is_refused_with_a_clear_message(client, reviewer, name, content, message):
    client.force_login(reviewer)

    response = client.post(
        reverse("proposals:reviewer_publications"),
        {"action": "upload", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )

    assert response.status_code == 200
    assert message in text(response)
    assert not ReviewerPublication.objects.exists()


def test_a_reviewer_pastes_abstracts_and_removes_one(client, reviewer):
    client.force_login(reviewer)
    url = reverse("proposals:reviewer_publications")

    client.post(url, {"action": "paste", "abstracts": "First abstract on dust.\n\nSecond on seismometers."})
    first = ReviewerPublication.objects.get(abstract__startswith="First")
    client.post(url, {"action": "remove", "publication": first.pk})

    assert list(ReviewerPublication.objects.values_list("abstract", flat=True)) == ["Second on seismometers."]
    page = text(client.get(reverse("proposals:reviewer_profile")))
    assert "Second on seismometers." in page
    head, body = page.split("</head>", 1)
    assert "My writing" not in head and body.count('id="writing"') == 1


def test_nobody_removes_another_reviewers_publication(client, reviewer):
    other = ReviewerProfileFactory()
    theirs = ReviewerPublication.objects.create(profile=other, abstract="Theirs.")
    client.force_login(reviewer)

    client.post(reverse("proposals:reviewer_publications"), {"action": "remove", "publication": theirs.pk})

    assert ReviewerPublication.objects.filter(pk=theirs.pk).exists()
    with pytest.raises(DomainError):
        publications.add_publications(profile=other, by=other.user, entries=[], source="pasted")


def test_affinity_is_only_kept_for_calls_in_matching(review_call):
    assert list(affinity.calls_in_matching()) == [review_call]
    Call.objects.filter(pk=review_call.pk).update(status=Call.Status.DECIDED)
    assert list(affinity.calls_in_matching()) == []
