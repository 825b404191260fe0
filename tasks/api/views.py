"""API views: parse the query, call one selector, serialize. Permissions are the pages' (selectors/permissions)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks.roundups.periods import Period
from tasks.selectors.api import api_plans
from tasks.selectors.permissions import visible_plans
from tasks.selectors.roundups import roundup_document

from .serializers import PlanSerializer, PlanStatusSerializer, StatusQuerySerializer

ERRORS = {
    401: OpenApiResponse(description="No credentials: log in, or send `Authorization: Token <key>`."),
    403: OpenApiResponse(description="Credentials refused (e.g. a session without its CSRF cookie)."),
}


class RequestLanguage:
    """Messages in the language the client asks for (Accept-Language or the language cookie).

    The API's URLs have no language prefix, where LocaleMiddleware would fall back to Chinese.
    """

    def initial(self, request, *args, **kwargs):
        translation.activate(translation.get_language_from_request(request._request))
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)


@extend_schema(
    summary="Plans the user may read",
    description="A coordinator's plans (scope `plan`); for a liaison, the plans where its unit has work "
    "(scope `unit`). Holders of `tasks.view_all_plans` see every plan.",
    responses={200: PlanSerializer(many=True), **ERRORS},
)
class PlanListView(RequestLanguage, ListAPIView):
    serializer_class = PlanSerializer
    pagination_class = None

    def get_queryset(self):
        return api_plans(self.request.user)


class PlanStatusView(RequestLanguage, APIView):
    @extend_schema(
        summary="A plan's figures for a period, as of a day",
        description="The roundup document `manage.py roundup --json` prints (built by the same function: the same "
        "keys and values) for the month, quarter or year that contains `as_of`, as it stood at the end of `as_of` "
        "(a published roundup as it was published). `scope` is `plan` for a coordinator, who reads it whole; a "
        "liaison (`unit`) reads the plan's summary and, of the rest, its own unit's rows, the indicators and key "
        "tasks its unit serves and the overdue items it may open.",
        parameters=[
            OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The plan's slug."),
            StatusQuerySerializer,
        ],
        responses={
            200: PlanStatusSerializer,
            400: OpenApiResponse(description="A bad as_of, period or limit; the body names the field."),
            404: OpenApiResponse(description="No such plan, or one the user may not read."),
            **ERRORS,
        },
    )
    def get(self, request, slug: str):
        plan = get_object_or_404(visible_plans(request.user).select_related("region"), slug=slug)
        query = StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of") or timezone.localdate()
        period = Period.as_of(query.validated_data["period"], as_of)
        # The figures are the roundup's, labels included (a Chinese document, as emailed); errors follow the client.
        with translation.override(settings.LANGUAGE_CODE):
            document = roundup_document(plan=plan, period=period, user=request.user)
        limit = query.validated_data.get("limit")
        if limit is not None:
            document["overdue_items"] = document["overdue_items"][:limit]
        # Returned as built (the serializer documents it): not one value converted on the way.
        return Response(document)
