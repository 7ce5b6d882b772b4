package org.nicflow.controller.bench;

import java.nio.file.Path;

/**
 * The config of an nginx that a benchmark starts itself in a VM (never the system's service): all
 * its files in one directory, in the foreground so that whoever started it stops it by its pid, one
 * worker, no access log, and one answer for every request.
 */
public final class NginxSite {

  /** What the site answers, with status 200. */
  public static final String BODY = "nicflow soak";

  private NginxSite() {}

  /** nginx's config: files under {@code dir}, listening on {@code ip:port} only. */
  public static String config(Path dir, String ip, int port) {
    return """
        daemon off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events {
          worker_connections 1024;
        }
        http {
          access_log off;
          client_body_temp_path %1$s/client_body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          default_type text/plain;
          server {
            listen %2$s:%3$d;
            location / {
              return 200 "%4$s\\n";
            }
          }
        }
        """.formatted(dir.toAbsolutePath(), ip, port, BODY);
  }
}
