"""Pages of an API list: the body stays the list it always was, one page of it, and the
`Link` header names the next and the previous page (RFC 8288), so a script that reads a list
reads it page by page, however large the organisation."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

PAGE_PARAMETER = OpenApiParameter(
    "page", int, description="Which page of the list, from 1; the Link header names the next."
)
LINK_HEADER = OpenApiParameter(
    "Link",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description='The next and previous pages, when there are: `<https://…&page=2>; rel="next"`.',
)


class ListPages(PageNumberPagination):
    """Used by hand in an APIView (`page_of`, then `link_headers`), or as a generic view's
    `pagination_class`, whose list then answers the same bare list and Link header."""

    page_size = 500
    page_query_param = "page"
    invalid_page_message = "No such page: give a page number from 1 to the last page."

    def page_of(self, items: QuerySet | Sequence, request: Request) -> list:
        """One page of `items`, which must be in a stable order; a page number that is no
        page is a 404. A queryset costs two queries (its count and the page), whatever its
        length."""
        return list(self.paginate_queryset(items, request) or [])

    def get_paginated_response(self, data: Any) -> Response:
        return Response(data, headers=self.link_headers())

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return schema  # the body is the page itself; the pages are in the Link header

    def link_headers(self) -> dict[str, str]:
        pages = (("next", self.get_next_link()), ("prev", self.get_previous_link()))
        links = [f'<{url}>; rel="{relation}"' for relation, url in pages if url]
        return {"Link": ", ".join(links)} if links else {}
