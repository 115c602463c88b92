"""The comment form: field validation, the honeypot and the signed timestamp."""

import time
from functools import lru_cache

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import targets
from .models import Comment

TIMESTAMP_SALT = "comments.form-timestamp"


def _no_control_characters(value):
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise forms.ValidationError(_("不能包含换行或控制字符。"))


class WebsiteField(forms.URLField):
    """A URL field that accepts only web pages (no ftp:, no javascript:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


def issue_timestamp(target_key):
    """Sign the moment, to the second, a form for this post or page ("post:42", "page:3") was
    served."""
    return _signed_moment(target_key, int(time.time()), settings.SECRET_KEY)


@lru_cache(maxsize=256)
def _signed_moment(target_key, second, secret_key):
    # Signed once per form and second rather than for every page served: on a cached post
    # page the signature was a tenth of the work. The key is part of the cache's key so that
    # a new SECRET_KEY never meets an old signature.
    kind, _sep, pk = target_key.partition(":")
    return signing.dumps({kind: int(pk), "at": second}, key=secret_key, salt=TIMESTAMP_SALT)


class CommentForm(forms.Form):
    author_name = forms.CharField(
        label=gettext_lazy("昵称"), max_length=50, validators=[_no_control_characters]
    )
    author_email = forms.EmailField(
        label=gettext_lazy("邮箱"),
        max_length=254,
        validators=[_no_control_characters],
        help_text=gettext_lazy("不会公开，用于显示头像和接收回复通知。"),
    )
    author_url = WebsiteField(
        label=gettext_lazy("个人主页"),
        max_length=200,
        required=False,
        assume_scheme="https",
        validators=[_no_control_characters],
    )
    body = forms.CharField(
        label=gettext_lazy("评论"),
        max_length=settings.COMMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("支持 Markdown 与 LaTeX 公式：$...$ 行内，$$...$$ 独立成行。"),
    )
    notify_on_reply = forms.BooleanField(label=gettext_lazy("有人回复时邮件通知我"), required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    timestamp = forms.CharField(widget=forms.HiddenInput)
    # Hidden from people by CSS; bots that fill every field give themselves away.
    homepage = forms.CharField(required=False, label=gettext_lazy("请留空"))

    def __init__(self, *args, target, user=None, **kwargs):
        self.target = target
        # A logged-in user (the blog's author) comments under their account's name and email.
        self.user = user if user is not None and user.is_authenticated else None
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["author_name"].required = False
            self.fields["author_email"].required = False
        if not self.is_bound and "timestamp" not in self.initial:
            self.initial["timestamp"] = issue_timestamp(targets.key(target))
        self.fields["homepage"].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off", "class": "hp-field"}
        )
        for name, autocomplete in [
            ("author_name", "nickname"),
            ("author_email", "email"),
            ("author_url", "url"),
        ]:
            self.fields[name].widget.attrs["autocomplete"] = autocomplete

    @property
    def signed_in_as(self):
        if self.user is None:
            return ""
        return self.user.get_full_name() or self.user.get_username()

    def clean(self):
        cleaned = super().clean()
        if self.user is not None:
            cleaned["author_name"] = self.signed_in_as[:50]
            cleaned["author_email"] = self.user.email or settings.DEFAULT_FROM_EMAIL
            for name in ("author_name", "author_email"):
                self.errors.pop(name, None)
        return cleaned

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("评论内容不能为空。"))
        return body

    def clean_homepage(self):
        if self.cleaned_data["homepage"]:
            raise forms.ValidationError(_("请不要填写这个隐藏字段。"))
        return ""

    def clean_timestamp(self):
        try:
            issued = signing.loads(
                self.cleaned_data["timestamp"],
                salt=TIMESTAMP_SALT,
                max_age=settings.COMMENTS_MAX_FORM_AGE,
            )
        except signing.SignatureExpired as error:
            raise forms.ValidationError(_("表单已过期，请刷新页面后重新提交。")) from error
        except signing.BadSignature as error:
            raise forms.ValidationError(_("表单校验失败，请刷新页面后重新提交。")) from error
        kind = targets.field_of(self.target)
        if not isinstance(issued, dict) or issued.get(kind) != self.target.pk:
            raise forms.ValidationError(_("表单校验失败，请刷新页面后重新提交。"))
        if time.time() - issued.get("at", 0) < settings.COMMENTS_MIN_SECONDS:
            raise forms.ValidationError(_("提交得太快了，请稍等几秒再提交。"))
        return self.cleaned_data["timestamp"]

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = Comment.objects.on(self.target).filter(pk=parent_id).first()
        if parent is None or not parent.is_visible:
            raise forms.ValidationError(_("要回复的评论不存在或尚未通过审核。"))
        return parent

    def hidden_errors(self):
        """Errors of hidden fields, shown above the form since the fields themselves are not."""
        hidden = ("timestamp", "parent", "homepage")
        return [error for name in hidden for error in self.errors.get(name, [])]
