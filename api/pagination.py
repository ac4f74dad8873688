from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages by cursor (`?cursor=…`, the `next` and `previous` links): stable while rows are added, no
    count query. Ordered by id, the one order every resource has that never changes."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "taille"
    max_page_size = 200

    def get_page_size(self, request):
        """A `taille` that is no whole number from 1 to max_page_size is refused (400), not ignored."""
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        if len(raw) > 1 or not (raw[0].isascii() and raw[0].isdigit()) or not 1 <= int(raw[0]) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"La taille de page est un nombre entier de 1 à {self.max_page_size}."]}
            )
        return int(raw[0])
