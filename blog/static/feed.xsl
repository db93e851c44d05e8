<?xml version="1.0" encoding="utf-8"?>
<!-- The Atom feed as a page for people who open it in a browser: what a feed is, the
     address to copy into a feed reader, and the latest posts. Feed readers ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="no"
      doctype-system="about:legacy-compat"/>
  <xsl:variable name="self" select="/atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="site" select="/atom:feed/atom:link[@rel='alternate']/@href"/>

  <xsl:template match="/atom:feed">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <meta name="robots" content="noindex"/>
        <title>Feed: <xsl:value-of select="atom:title"/></title>
        <link rel="stylesheet" href="/static/css/site.css"/>
        <script src="/static/js/copy-field.js" defer="defer"></script>
      </head>
      <body class="feed-page">
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="site-header__inner">
            <a class="site-title" href="{$site}">
              <span class="site-title__mark" aria-hidden="true"></span>
              <span class="site-title__text"><xsl:value-of select="atom:title"/></span>
            </a>
            <nav class="site-nav" aria-label="Main">
              <ul class="nav-list">
                <li><a href="{$site}">Posts</a></li>
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" class="site-main" tabindex="-1">
          <div class="feed-intro">
            <p class="page-intro__kicker">Feed</p>
            <h1 class="page-intro__title">Follow <xsl:value-of select="atom:title"/> in your feed reader</h1>
            <p>This page is a <strong>feed</strong>: a list of the latest posts that a feed reader
              app checks for you, so new posts come to you without an account, an email list or
              anyone tracking what you read.</p>
            <p><strong>Copy this address into your feed reader</strong> (for example NetNewsWire,
              Feedly, Inoreader or Thunderbird: look for “Add feed” or “Subscribe”):</p>
            <div class="feed-copy">
              <label class="visually-hidden" for="feed-address">The feed's address</label>
              <input class="field__input feed-copy__input" id="feed-address" type="text" readonly="readonly" spellcheck="false" value="{$self}"/>
              <button type="button" class="feed-copy__button" data-copy-from="feed-address" hidden="hidden">Copy</button>
            </div>
            <p class="feed-intro__status" data-copy-status="" role="status"></p>
            <p class="feed-intro__back">Or read the posts on the site: <a href="{$site}"><xsl:value-of select="$site"/></a></p>
          </div>
          <section class="feed-entries" aria-labelledby="feed-entries-heading">
            <h2 id="feed-entries-heading" class="section-heading">Latest posts in this feed</h2>
            <ol class="feed-entries__list">
              <xsl:for-each select="atom:entry">
                <li class="feed-entry">
                  <h3 class="feed-entry__title"><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
                  <p class="feed-entry__meta"><time datetime="{atom:published}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time> · <xsl:value-of select="atom:author/atom:name"/></p>
                  <p class="feed-entry__summary"><xsl:value-of select="atom:summary"/></p>
                </li>
              </xsl:for-each>
            </ol>
          </section>
        </main>
        <footer class="site-footer">
          <div class="site-footer__inner">
            <p class="site-footer__meta"><xsl:value-of select="atom:title"/> · No trackers, no ads · This feed: <xsl:value-of select="$self"/></p>
          </div>
        </footer>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
