"""Serving stored files, and the JSON the post editor uploads to and picks pictures from."""

import errno
import mimetypes
from functools import wraps

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from .models import MediaFile
from .services import Rejected, store_file, too_large

# The picker's words (media/static/media/editor-pictures.js reads them from the listing).
PICKER_LABELS = {
    "title": _lazy("插入图片"),
    "upload": _lazy("上传新图片"),
    "caption": _lazy("图片说明（显示为图注，可留空）"),
    "library": _lazy("或从图片库中选择："),
    "empty": _lazy("图片库还是空的。"),
    "more": _lazy("更多"),
    "cancel": _lazy("取消"),
    "uploading": _lazy("正在上传…"),
}
# Room for the multipart envelope around a file of the largest size allowed.
MULTIPART_OVERHEAD = 64 * 1024


NOT_A_STORED_NAME = {errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG}


def serve(request, name):
    """Send a stored file with a year's caching: its name changes whenever its content would."""
    try:
        handle = default_storage.open(name, "rb")
    except (SuspiciousFileOperation, ValueError) as error:
        raise Http404(name) from error
    except OSError as error:
        # No such file, a directory, or a name longer than the file system allows (the
        # URL fuzzer's 5,000 characters): nothing stored goes by that name.
        if error.errno not in NOT_A_STORED_NAME:
            raise
        raise Http404(name) from error
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = settings.MEDIA_CACHE_CONTROL
    if content_type == "image/svg+xml":
        # Sanitized at upload; opened on its own, it still runs nothing.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def staff_json(view):
    """Answer 403 in JSON (not a login page) unless an author who may upload is signed in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff and user.has_perm("media.add_mediafile")):
            return JsonResponse({"error": _("只有作者可以上传文件。")}, status=403)
        return view(request, *args, **kwargs)

    return never_cache(csrf_protect(wrapper))


def describe(media):
    return {
        "id": media.pk,
        "url": media.url,
        "thumbnail": media.thumbnail_url(),
        "name": media.original_name,
        "alt": media.caption,
        "kind": media.kind,
        "width": media.width,
        "height": media.height,
    }


@require_POST
@staff_json
def upload(request):
    """Store one file (field `file`); answer its description, or the reason it was refused."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > settings.MEDIA_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
        # Refused before the body is read, with the same message as a file found too large.
        return JsonResponse({"error": too_large().message}, status=413)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"error": _("没有收到文件。")}, status=400)
    try:
        media = store_file(
            uploaded,
            name=uploaded.name,
            caption=request.POST.get("caption", ""),
            uploaded_by=request.user,
        )
    except Rejected as error:
        status = 413 if error.code == "too_large" else 400
        return JsonResponse({"error": error.message, "code": error.code}, status=status)
    return JsonResponse(describe(media), status=201)


@require_GET
@staff_json
def library(request):
    """The newest pictures of the library, a page at a time, for the editor's picker."""
    pictures = Paginator(MediaFile.objects.images(), 30).get_page(request.GET.get("page"))
    return JsonResponse(
        {
            "files": [describe(media) for media in pictures],
            "next": pictures.next_page_number() if pictures.has_next() else None,
            "labels": PICKER_LABELS,
        }
    )
