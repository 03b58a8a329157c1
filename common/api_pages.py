"""Pages of an API list: the body stays the list it always was, one page of it, and the
`Link` header names the next and the previous page (RFC 8288), so a script that reads a list
reads it page by page, however large the organisation."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

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
    page_size = 500
    page_query_param = "page"
    invalid_page_message = "No such page: give a page number from 1 to the last page."

    def page_of(self, queryset: QuerySet, request: Request) -> list:
        return list(self.paginate_queryset(queryset, request) or [])

    def link_headers(self) -> dict[str, str]:
        pages = (("next", self.get_next_link()), ("prev", self.get_previous_link()))
        links = [f'<{url}>; rel="{relation}"' for relation, url in pages if url]
        return {"Link": ", ".join(links)} if links else {}
