"""Bids over the API: a reviewer reads a call's proposals open for bidding and saves bids on them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api import ERRORS
from proposals.models import Bid
from proposals.review import bids
from proposals.review.api import Reviewers

BID_CHOICES = [("", "no bid"), *Bid.Value.choices]


class BiddableProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    title = serializers.CharField()
    title_native = serializers.CharField()
    abstract = serializers.CharField()
    affinity = serializers.FloatField(help_text="How close the proposal is to the reviewer's writing (0–1).")
    bid = serializers.ChoiceField(choices=BID_CHOICES, allow_blank=True)


class BidInputSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    bid = serializers.ChoiceField(choices=BID_CHOICES, allow_blank=True)


class BidsInputSerializer(serializers.Serializer):
    bids = BidInputSerializer(many=True, allow_empty=False, max_length=5000)


class CallBidActions:
    """A reviewer's bids on a call, mixed into the call endpoints; open to reviewers while bidding is open."""

    @extend_schema(
        methods=["GET"],
        summary="The call's proposals you may bid on, most affine first, with your bids (reviewers)",
        description="Open once the call is closed and until its bidding deadline; otherwise 404.",
        responses={200: BiddableProposalSerializer(many=True), 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="Save bids: eager, willing, not_willing, or '' to withdraw a bid (reviewers)",
        request=BidsInputSerializer,
        responses={200: BiddableProposalSerializer(many=True), **ERRORS},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filterset_class=None,
        pagination_class=None,
        permission_classes=[Reviewers],
    )
    def bids(self, request, pk=None):
        call = bids.get_call_for_bidding(user=request.user, pk=pk)
        if request.method == "POST":
            serializer = BidsInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            bids.place_bids(
                call=call, by=request.user, bids={b["proposal"]: b["bid"] for b in serializer.validated_data["bids"]}
            )
        return Response(BiddableProposalSerializer(bids.biddable_proposals(call, request.user), many=True).data)
