package io.tracearr.analytics.notify;

import java.time.Instant;

/**
 * What a renderer needs besides the channel and the event.
 *
 * @param deliveryId stable across every attempt of one delivery, so receivers can drop duplicates
 * @param dashboardUrl {@code notifications.dashboard_url}, may be null
 * @param now the attempt's time (the webhook signature's timestamp)
 */
public record RenderContext(String deliveryId, String dashboardUrl, Instant now) {}
