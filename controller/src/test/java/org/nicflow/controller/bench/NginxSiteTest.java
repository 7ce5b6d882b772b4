package org.nicflow.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NginxSiteTest {

  @Test
  void everyFileTheServerWritesIsInItsOwnDirectoryAndItListensOnTheVmsAddressOnly() {
    String conf = NginxSite.config(Path.of("/tmp/soak-x"), "10.70.0.20", 5001);

    assertThat(conf).contains("daemon off;", "worker_processes 1;", "pid /tmp/soak-x/nginx.pid;",
        "error_log /tmp/soak-x/error.log", "access_log off;", "listen 10.70.0.20:5001;", "return 200");
    assertThat(conf.lines().filter(l -> l.contains("_temp_path")))
        .hasSize(5).allSatisfy(l -> assertThat(l).contains("/tmp/soak-x/"));
    assertThat(conf).doesNotContain("/var/", "/run/", "/etc/");
  }
}
