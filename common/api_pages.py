"""Pages of a list: the body of an API list stays the list it always was, one page of it, and
the `Link` header names the next and the previous page (RFC 8288), so a script that reads a list
reads it page by page, however large the organisation. A page people read (HR's follow-through)
takes its pages from the same helper, with links to the pages either side and where the page
sits in the list ("units 51 to 100 of 1,234")."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound
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


@dataclass(frozen=True)
class ShownPage:
    """One page of a list people read: its rows, where they sit in the whole list (from 1;
    0 and 0 when the list is empty), and the query strings of the pages either side, which
    keep every other parameter (the filters, a search) and change only the page."""

    rows: list
    first: int
    last: int
    total: int
    previous_query: str  # "" on the first page
    next_query: str  # "" on the last page

    @property
    def is_paged(self) -> bool:
        return bool(self.previous_query or self.next_query)


class ListPages(PageNumberPagination):
    """Used by hand in an APIView (`page_of`, then `link_headers`), or as a generic view's
    `pagination_class`, whose list then answers the same bare list and Link header; in a view
    people read, `shown_page_of`."""

    page_size = 500
    page_query_param = "page"
    invalid_page_message = "No such page: give a page number from 1 to the last page."

    def __init__(self, page_size: int | None = None) -> None:
        if page_size is not None:
            self.page_size = page_size

    def page_of(self, items: QuerySet | Sequence, request: Request) -> list:
        """One page of `items`, which must be in a stable order; a page number that is no
        page is a 404. A queryset costs two queries (its count and the page), whatever its
        length."""
        return list(self.paginate_queryset(items, request) or [])

    def shown_page_of(self, items: QuerySet | Sequence, request: HttpRequest) -> ShownPage:
        """One page of `items` for a page people read, in the same two queries as `page_of`;
        a page number that is no page is the site's 404."""
        try:
            rows = self.page_of(items, Request(request))
        except NotFound:
            raise Http404("No such page.") from None
        page = self.page
        assert page is not None  # a page size is always set, so a page was always taken
        return ShownPage(
            rows=rows,
            first=page.start_index(),
            last=page.end_index(),
            total=page.paginator.count,
            previous_query=self.query_for(request, page.previous_page_number())
            if page.has_previous()
            else "",
            next_query=self.query_for(request, page.next_page_number()) if page.has_next() else "",
        )

    def query_for(self, request: HttpRequest, number: int) -> str:
        query = request.GET.copy()
        if number == 1:
            query.pop(self.page_query_param, None)
        else:
            query[self.page_query_param] = str(number)
        return query.urlencode()

    def get_paginated_response(self, data: Any) -> Response:
        return Response(data, headers=self.link_headers())

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return schema  # the body is the page itself; the pages are in the Link header

    def link_headers(self) -> dict[str, str]:
        pages = (("next", self.get_next_link()), ("prev", self.get_previous_link()))
        links = [f'<{url}>; rel="{relation}"' for relation, url in pages if url]
        return {"Link": ", ".join(links)} if links else {}
