"""Follow stored redirects: addresses that name content by query first, other paths on a 404."""

from django.http import HttpResponsePermanentRedirect

from .models import Redirect, path_candidates, query_candidates


class RedirectMiddleware:
    """Answer an old address with a 301 to where its content lives now (redirects/models.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.GET:
            candidates = query_candidates(request.path, request.GET)
            if candidates:
                target = Redirect.objects.target_of(candidates)
                if target is not None:
                    return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            target = Redirect.objects.target_of(path_candidates(request.path))
            if target is not None and target != request.path:
                return HttpResponsePermanentRedirect(target)
        return response
