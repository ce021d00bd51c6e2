"""Pagination of console lists: ``?limit=&offset=`` with ``count``, like DataArts' own lists."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000
