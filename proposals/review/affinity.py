"""Text affinity between proposals and reviewers: TF-IDF over word stems in English, Russian and Chinese.

A proposal's document is its title (counted twice), abstract and science objectives; a reviewer's is their own
writing (publication titles and abstracts) and their keywords (counted three times). Text is cut into runs by
script: Latin words go through the English Snowball stemmer, Cyrillic words through the Russian one, and Chinese
through jieba's word segmentation with the dictionary shipped inside the package. Terms are whole stems, so a
keyword "ice" never matches "service".

Weights are (1 + ln tf) × idf with idf = ln((1 + N) / (1 + df)) + 1 over the call's proposals, each vector L2-
normalised; the affinity of a pair is the cosine of their vectors, between 0 and 1. Scores are computed by a task
when a call closes or a reviewer's expertise changes, and stored per pair in `Affinity`: pages and the
assignment only read them.
"""

import json
import logging
import math
import re
import threading
from collections import Counter
from functools import lru_cache

import numpy
import snowballstemmer
from django.db import connection, transaction
from django.utils import timezone
from scipy import sparse

from portal.audit.services import record_event
from portal.task_queue import enqueue
from proposals.models import Affinity, Call, ReviewerProfile

TOP_TERMS = 5
KEYWORD_WEIGHT = 3
TITLE_WEIGHT = 2
# Calls whose proposals are final and not yet decided: the ones whose affinity is worth keeping current.
CALLS_IN_MATCHING = (Call.Status.CLOSED, Call.Status.UNDER_REVIEW)


def _words(text):
    return frozenset(text.split())


_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff]+)|([а-яё]+)|([a-z][a-z0-9]*)")

ENGLISH_STOPWORDS = _words(
    """
    a about above after again against all also an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having here how if in into is it its itself just more most no nor not of off on once only or other
    our out over own same should so some such than that the their them then there these they this those
    through to too under until up upon using use used very via was we were what when where which while
    who whom why will with within would you your new one two three first study studies paper propose
    proposed proposal approach based result results show shows method methods data work research
    """
)
RUSSIAN_STOPWORDS = _words(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
    вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
    нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем
    была сам чтобы без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
    совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
    наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три
    эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
    всю между это также работа работы исследование исследования предлагаем
    """
)
CHINESE_STOPWORDS = _words(
    """
    的 了 和 与 及 在 是 对 中 等 为 以 并 将 其 该 这 那 我们 我 你 他 她 它 上
    下 从 到 由 于 被 把 也 或 而 之 所 进行 研究 提出 本文 基于 通过 利用 一个 一种
    可以 以及 我们的 工作 方法 结果 项目 提案 开展
    """
)

_english = threading.local()
_jieba = {}
_jieba_lock = threading.Lock()


def _stemmer(language):
    stemmer = getattr(_english, language, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(language)
        setattr(_english, language, stemmer)
    return stemmer


@lru_cache(maxsize=200_000)
def _stem(word, language):
    return _stemmer(language).stemWord(word)


def _segmenter():
    """jieba's tokenizer on the dictionary inside the package (nothing is downloaded), loaded once per process."""
    if "tokenizer" not in _jieba:
        with _jieba_lock:
            if "tokenizer" not in _jieba:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba["tokenizer"] = tokenizer
    return _jieba["tokenizer"]


def tokens(text):
    """(stem, surface word) pairs of `text`, whatever mix of English, Russian and Chinese it is written in."""
    found = []
    for chinese, russian, latin in _RUNS.findall((text or "").lower()):
        if chinese:
            for word in _segmenter().lcut(chinese, HMM=True):
                if len(word) > 1 and word not in CHINESE_STOPWORDS:
                    found.append((word, word))
        elif russian:
            if len(russian) > 2 and russian not in RUSSIAN_STOPWORDS:
                found.append((_stem(russian, "russian"), russian))
        elif len(latin) > 1 and latin not in ENGLISH_STOPWORDS and not latin.isdigit():
            found.append((_stem(latin, "english"), latin))
    return found


def stems(text):
    return [stem for stem, _word in tokens(text)]


def proposal_terms(proposal):
    """Term counts of a proposal, and the word each stem was first written as (to show as a reason)."""
    found = tokens(proposal.title) * TITLE_WEIGHT + tokens(proposal.abstract) + tokens(proposal.science_objectives)
    surface = {}
    for stem, word in found:
        surface.setdefault(stem, word)
    return Counter(stem for stem, _word in found), surface


def reviewer_terms(profile, publications=None):
    """Term counts of a reviewer: their own writing and their keywords (each keyword word by word, as stems)."""
    publications = profile.publications.all() if publications is None else publications
    counts = Counter()
    for publication in publications:
        counts.update(stems(publication.title))
        counts.update(stems(publication.abstract))
    for keyword in profile.keyword_set:
        for stem in stems(keyword):
            counts[stem] += KEYWORD_WEIGHT
    return counts


def _vector(counts, idf, default_idf):
    weights = {term: (1 + math.log(tf)) * idf.get(term, default_idf) for term, tf in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {term: w / norm for term, w in weights.items()}


def affinity_matrix(proposal_counts, reviewer_counts):
    """For each proposal index, {reviewer index: (score, [top shared stems])} over pairs with any shared term.

    Each proposal's weights meet all reviewers' weights on that proposal's terms in one dense block (reviewers ×
    the proposal's terms, from a sparse column matrix of the reviewers): the block's row sums are the cosines,
    and its largest entries the top shared terms (ties by the term, as a plain sort of (product, term) would).
    """
    n = len(proposal_counts)
    df = Counter()
    for counts in proposal_counts:
        df.update(counts.keys())
    idf = {term: math.log((1 + n) / (1 + d)) + 1 for term, d in df.items()}
    default_idf = math.log(1 + n) + 1
    proposal_vectors = [_vector(c, idf, default_idf) for c in proposal_counts]
    reviewer_vectors = [_vector(c, idf, default_idf) for c in reviewer_counts]
    matrix = [{} for _ in range(n)]
    if not reviewer_vectors:
        return matrix
    # Only the proposals' terms can be shared: the reviewers' matrix keeps just those columns.
    columns = {}
    for vector in proposal_vectors:
        for term in vector:
            columns.setdefault(term, len(columns))
    rows, cols, values = [], [], []
    for j, vector in enumerate(reviewer_vectors):
        for term, weight in vector.items():
            column = columns.get(term)
            if column is not None:
                rows.append(j)
                cols.append(column)
                values.append(weight)
    reviewers = sparse.csc_matrix(
        (numpy.array(values, dtype=numpy.float64), (rows, cols)), shape=(len(reviewer_vectors), max(len(columns), 1))
    )
    for i, vector in enumerate(proposal_vectors):
        if not vector:
            continue
        terms = sorted(vector, reverse=True)  # by the term, descending: a stable sort then breaks ties as before
        weights = numpy.array([vector[t] for t in terms], dtype=numpy.float64)
        products = reviewers[:, [columns[t] for t in terms]].toarray() * weights
        shared = products > 0
        met = numpy.flatnonzero(shared.any(axis=1))
        if not len(met):
            continue
        block = products[met]
        scores = block.sum(axis=1)
        top = numpy.argsort(-block, axis=1, kind="stable")[:, :TOP_TERMS]
        counted = numpy.minimum(shared[met].sum(axis=1), TOP_TERMS)
        row = matrix[i]
        for j, score, order, count in zip(met.tolist(), scores.tolist(), top.tolist(), counted.tolist(), strict=True):
            row[j] = (score, [terms[c] for c in order[:count]])
    return matrix


def active_profiles():
    return (
        ReviewerProfile.objects.filter(user__is_reviewer=True, user__is_active=True)
        .select_related("user")
        .prefetch_related("publications")
        .order_by("pk")
    )


@transaction.atomic
def compute_call_affinity(*, call):
    """Recompute and store the affinity of every proposal in review of `call` with every active reviewer."""
    from proposals.review.selectors import proposals_in_review

    call = Call.objects.select_for_update().get(pk=call.pk)
    proposals = list(proposals_in_review(call).only("pk", "call", "title", "abstract", "science_objectives"))
    profiles = list(active_profiles())
    prepared = [proposal_terms(p) for p in proposals]
    matrix = affinity_matrix([counts for counts, _surface in prepared], [reviewer_terms(p) for p in profiles])
    now = timezone.now()
    rows = []
    for i, scored in enumerate(matrix):
        surface = prepared[i][1]
        proposal_id = proposals[i].pk
        ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[0]))
        for rank, (j, (score, terms)) in enumerate(ranked, start=1):
            rows.append(
                (proposal_id, profiles[j].user_id, round(score, 6), rank, [surface.get(t, t) for t in terms], now)
            )
    Affinity.objects.filter(proposal__call=call).delete()
    _store(rows)
    record_event(
        actor=None,
        action="call.affinity_computed",
        obj=call,
        data={"proposals": len(proposals), "reviewers": len(profiles), "pairs": len(rows)},
    )
    return len(rows)


def _store(rows):
    """Write the rows, (proposal_id, reviewer_id, score, rank, terms, computed_at) tuples: through COPY on
    PostgreSQL (a call's hundreds of thousands of pairs in seconds, with no model instance built for each)."""
    columns = ("proposal_id", "reviewer_id", "score", "rank", "terms", "computed_at")
    if connection.vendor != "postgresql":
        Affinity.objects.bulk_create(
            [Affinity(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000
        )
        return
    statement = "COPY {table} ({columns}) FROM STDIN".format(
        table=connection.ops.quote_name(Affinity._meta.db_table),
        columns=", ".join(connection.ops.quote_name(column) for column in columns),
    )
    dumps = json.JSONEncoder(ensure_ascii=True).encode
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        write = copy.write_row
        for proposal_id, reviewer_id, score, rank, terms, computed_at in rows:
            write((proposal_id, reviewer_id, score, rank, dumps(terms), computed_at))


def calls_in_matching():
    return Call.objects.filter(status__in=CALLS_IN_MATCHING).order_by("pk")


def enqueue_call(call_id):
    """Queue the affinity of one call after the current transaction commits (a broker outage only logs)."""
    transaction.on_commit(lambda: enqueue("proposals.tasks.compute_call_affinity", call_id))


def enqueue_all():
    """Queue the affinity of every call in matching, after a reviewer's expertise changed."""
    if calls_in_matching().exists():
        transaction.on_commit(lambda: enqueue("proposals.tasks.compute_affinity_in_matching"))
