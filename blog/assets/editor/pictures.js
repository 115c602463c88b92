/*
 * Where the editor's pictures come from. A media library (the media app) plugs in by
 * defining, before the editor starts or at any time after:
 *
 *   window.blogPictures = {
 *     pick(): Promise<{url, alt} | null>,   // upload or choose from the library
 *     upload(file): Promise<{url, alt}>,     // a pasted or dropped image
 *   };
 *
 * Without it, 插入图片 asks for an address and a caption, and pasted files are left alone.
 */
export const pictureSource = {
  pick(labels) {
    if (window.blogPictures && window.blogPictures.pick) return window.blogPictures.pick();
    const url = window.prompt(labels.picture_url);
    if (!url) return Promise.resolve(null);
    const alt = window.prompt(labels.picture_caption) || "";
    return Promise.resolve({ url: url.trim(), alt: alt.trim() });
  },
  canUpload() {
    return Boolean(window.blogPictures && window.blogPictures.upload);
  },
  upload(file) {
    return window.blogPictures.upload(file);
  },
};
